"""Messages we push to users outside a passive reply: customer-service text via jobs."""
import logging

from wechat_hall.jobs import job, submit

from . import api

log = logging.getLogger(__name__)


def queue_text(openid, text, dedup_key=None):
    """Ask for a customer-service text to be sent after the current transaction commits."""
    return submit("wechat.send_text", {"openid": openid, "text": text},
                  queue="high", dedup_key=dedup_key)


@job("wechat.send_text")
def send_text_job(payload, job_id=None):
    """Refusals (45015 outside the 48 h window, 45047 over the count) are final: the
    runner records them on the outbox row and never retries them in a loop."""
    api.send_text(payload["openid"], payload["text"])
