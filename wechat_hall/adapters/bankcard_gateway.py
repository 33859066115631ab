"""The production bank-card check (ACC-8 b): an HTTPS gateway, contract in docs/BANKCARD.md.

The registrar contracts a card-verification service (银联 four-element check through an
acquirer or a relay of its own); this adapter speaks one small signed JSON protocol to
it, so the provider's specifics stay in the gateway. Both directions carry an
HMAC-SHA256 over timestamp, nonce and body with the shared ``BANKCARD_GATEWAY_SECRET``:
a forged or replayed "match" (an old answer, an answer to another request) is refused.
Anything but a signed, well-formed answer is "unavailable", never a mismatch, so the
user is told to try again or to choose another method rather than that the card is wrong.
"""
import hashlib
import hmac
import json
import logging
import secrets
import time

import requests

from .bankcard_check import CardCheck

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3.0
MAX_SKEW = 300  # seconds an answer's timestamp may differ from our clock
# The gateway's results and what the user reads (empty: the card verified).
RESULTS = {
    "match": "",
    "mismatch": "银行卡信息与持卡人身份信息不一致",
    "card_invalid": "银行卡号有误或该卡已失效，请核对后重新输入",
    "card_unsupported": "该银行卡暂不支持验证，请换一张本人银行卡或选择其他认证方式",
}


class BankCardUnavailable(Exception):
    """The gateway could not give a trustworthy answer (down, slow, unsigned, malformed)."""


def sign(secret, timestamp, nonce, body):
    """hex HMAC-SHA256 over ``timestamp \\n nonce \\n body`` (body as sent, in bytes)."""
    message = f"{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class HttpBankCard:
    def __init__(self, config):
        self.url = config.get("BANKCARD_GATEWAY_URL", "")
        self.secret = config.get("BANKCARD_GATEWAY_SECRET", "")
        self.client_id = config.get("BANKCARD_GATEWAY_CLIENT_ID") or "hall"
        self.timeout = float(config.get("BANKCARD_GATEWAY_TIMEOUT") or 8)
        if not self.url or not self.secret:
            raise RuntimeError("BANKCARD_BACKEND=http needs BANKCARD_GATEWAY_URL and "
                               "BANKCARD_GATEWAY_SECRET")

    def verify(self, name, id_number, card_number, phone):
        request_id = secrets.token_hex(16)
        nonce = secrets.token_hex(16)
        timestamp = str(int(time.time()))
        body = json.dumps({"request_id": request_id, "client_id": self.client_id,
                           "name": name.strip(), "id_number": id_number.strip().upper(),
                           "card_number": card_number, "phone": phone.strip()},
                          ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Hall-Client": self.client_id, "X-Hall-Timestamp": timestamp,
                   "X-Hall-Nonce": nonce,
                   "X-Hall-Signature": sign(self.secret, timestamp, nonce, body)}
        try:
            res = requests.post(self.url, data=body, headers=headers,
                                timeout=(CONNECT_TIMEOUT, self.timeout))
        except requests.RequestException as exc:
            raise BankCardUnavailable(f"bank-card gateway unreachable: {type(exc).__name__}") \
                from None
        answer = self._checked(res, nonce, request_id)
        log.info("bank card *%s checked (%s): %s", card_number[-4:], request_id,
                 answer["result"])
        result = answer["result"]
        return CardCheck(result == "match", RESULTS[result])

    def _checked(self, res, nonce, request_id):
        if res.status_code != 200:
            raise BankCardUnavailable(f"bank-card gateway answered {res.status_code}")
        stamp = res.headers.get("X-Gateway-Timestamp", "")
        given = res.headers.get("X-Gateway-Signature", "")
        if not stamp.isdigit() or abs(int(stamp) - time.time()) > MAX_SKEW:
            raise BankCardUnavailable("bank-card gateway answer without a fresh timestamp")
        if not hmac.compare_digest(given, sign(self.secret, stamp, nonce, res.content)):
            raise BankCardUnavailable("bank-card gateway answer with a wrong signature")
        try:
            answer = json.loads(res.content)
        except ValueError:
            raise BankCardUnavailable("bank-card gateway answer is not JSON") from None
        if not isinstance(answer, dict) or answer.get("request_id") != request_id:
            raise BankCardUnavailable("bank-card gateway answered another request")
        if answer.get("result") not in RESULTS:
            raise BankCardUnavailable(f"bank-card gateway result {answer.get('result')!r}")
        return answer
