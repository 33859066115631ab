"""Messages we push to users outside a passive reply: customer-service text via jobs."""
import logging

from wechat_hall.jobs import effects, job, submit

from . import api

log = logging.getLogger(__name__)


def queue_text(openid, text, dedup_key=None):
    """Ask for a customer-service text to be sent after the current transaction commits."""
    return submit("wechat.send_text", {"openid": openid, "text": text},
                  queue="high", dedup_key=dedup_key)


@job("wechat.send_text")
def send_text_job(payload, job_id=None):
    """Refusals (45015 outside the 48 h window, 45047 over the count) are final: the
    runner records them on the outbox row and never retries them in a loop. The send is
    an effect once per outbox row: a job taken up after its worker died does not send
    the text (and spend one of the 5 messages) a second time."""
    def send():
        api.send_text(payload["openid"], payload["text"])
        return {"sent": True}
    if job_id is None:  # called directly, not from an outbox row
        return send()
    return effects.once(f"wechat-text:{job_id}", send)
