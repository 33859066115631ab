"""SMS gateway adapter. ``dev`` records to the inbox; ``http`` posts to a gateway."""
import logging

import requests

from wechat_hall.masking import mask_phone

log = logging.getLogger(__name__)


class SmsFailed(Exception):
    permanent = False


class DevSms:
    """Development backend: the message appears in the simulator's inbox (/sim/inbox)."""

    def __init__(self, config):
        self.config = config

    def send(self, phone, text):
        from .dev_inbox import record
        record("sms", phone, "", text)
        log.info("dev sms to %s recorded", mask_phone(phone))
        return {"id": None, "backend": "dev"}


class HttpSms:
    """A JSON-over-HTTPS SMS gateway: ``POST SMS_GATEWAY_URL {phone, text}`` with a key.

    Most Chinese SMS providers offer such an endpoint (or a small relay gives one);
    the provider's specifics belong in the relay, not here.
    """

    def __init__(self, config):
        self.url = config["SMS_GATEWAY_URL"]
        self.key = config["SMS_GATEWAY_KEY"]
        if not self.url:
            raise RuntimeError("SMS_BACKEND=http needs SMS_GATEWAY_URL")

    def send(self, phone, text):
        try:
            res = requests.post(self.url, json={"phone": phone, "text": text},
                                headers={"Authorization": f"Bearer {self.key}"}, timeout=10)
        except requests.RequestException as exc:
            raise SmsFailed(f"SMS gateway unreachable: {exc}") from None
        if res.status_code >= 400:
            raise SmsFailed(f"SMS gateway answered {res.status_code}")
        log.info("sms to %s sent", mask_phone(phone))
        return res.json() if res.content else {}


BACKENDS = {"dev": DevSms, "http": HttpSms}
