"""WeChat template messages sent through the job outbox (reminders of APT-7/9).

Template messages need no 48-hour window (customer-service messages do), only that the
user follows the account. Each send carries ``client_msg_id`` = the job's dedup key, so
a retried job is not delivered twice by WeChat either.
"""
from wechat_hall.jobs import job, submit

from . import api


def truncate(text, limit=20):
    """``thing`` fields take at most 20 characters or WeChat answers 47003."""
    text = text or ""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def queue_template(openid, template_id, data, url=None, dedup_key=None):
    payload = {"openid": openid, "template_id": template_id,
               "data": {k: {"value": v} for k, v in data.items()}, "url": url,
               "client_msg_id": dedup_key}
    return submit("wechat.send_template", payload, queue="high", dedup_key=dedup_key)


@job("wechat.send_template")
def send_template_job(payload, job_id=None):
    api.send_template(payload["openid"], payload["template_id"], payload["data"],
                             url=payload.get("url"),
                             client_msg_id=payload.get("client_msg_id") or f"job-{job_id}")
