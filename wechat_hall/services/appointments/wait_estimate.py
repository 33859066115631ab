"""The wait estimate of 排号进度查询 (APT-9): people ahead × the mean service time of the
queue's last finished tickets ÷ the counters serving it.

Both inputs move slowly, so they are cached in Redis for a minute (one round trip for
both; whichever is missing is computed): :func:`shared_inputs`, what the page and the chat
read. The polling endpoint, read every few seconds by every waiting phone, keeps them in
this process for ``LOCAL_SECONDS`` on top (:func:`local_inputs`). Every path computes with
:func:`wait_minutes`.
"""
import math
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import func

from models import HallCounter, Ticket
from models.hall_queue import DONE, counter_business
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.redis_store import get_redis

RECENT = 20  # finished tickets the mean is taken over
LOCAL_SECONDS = 10
SHARED_SECONDS = 60


def wait_minutes(ahead, mean_minutes, counters):
    """The estimate: ``ahead`` people served at ``mean_minutes`` each by ``counters``."""
    return math.ceil(ahead * mean_minutes / max(1, counters))


def minutes_for(ticket, ahead, inputs=None):
    """The estimate for ``ahead`` people in ``ticket``'s queue (a Ticket or a row with its
    office_id and business_type_id); ``inputs`` picks the cache (default: shared)."""
    return wait_minutes(ahead, *(inputs or shared_inputs)(ticket.office_id,
                                                          ticket.business_type_id))


def local_inputs(office_id, business_type_id):
    """:func:`shared_inputs`, kept in this process for ``LOCAL_SECONDS``."""
    local = current_app.extensions.setdefault("queue_estimates", {})
    key = (office_id, business_type_id)
    hit = local.get(key)
    if hit is not None and time.monotonic() - hit[0] < LOCAL_SECONDS:
        return hit[1], hit[2]
    mean, counters = shared_inputs(office_id, business_type_id)
    local[key] = (time.monotonic(), mean, counters)
    return mean, counters


def shared_inputs(office_id, business_type_id):
    """(mean service minutes, counters serving) of the queue, cached in Redis."""
    try:
        mean, counters = get_redis().mget(_mean_key(office_id, business_type_id),
                                          _counters_key(office_id, business_type_id))
    except Exception:  # Redis down: compute both
        mean = counters = None
    mean = float(mean) if mean is not None else mean_service_minutes(office_id, business_type_id)
    counters = (int(counters) if counters is not None
                else counters_serving(office_id, business_type_id))
    return mean, counters


def _mean_key(office_id, business_type_id):
    return f"queue-mean:{office_id}:{business_type_id}"


def _counters_key(office_id, business_type_id):
    return f"queue-counters:{office_id}:{business_type_id}"


def _remember(key, value):
    try:
        get_redis().set(key, value, ex=SHARED_SECONDS)
    except Exception:
        pass


def mean_service_minutes(office_id, business_type_id):
    """Mean minutes from first call to finish over the queue's last finished tickets of
    the past 30 days (QUEUE_DEFAULT_SERVICE_MINUTES until there are any), at least 0.5."""
    rows = db.session.execute(
        db.select(Ticket.called_at, Ticket.finished_at).filter(
            Ticket.office_id == office_id, Ticket.business_type_id == business_type_id,
            Ticket.status == DONE, Ticket.called_at.isnot(None),
            Ticket.day >= clock.today() - timedelta(days=30))
        .order_by(Ticket.finished_at.desc()).limit(RECENT)).all()
    spans = [(done - called).total_seconds() / 60 for called, done in rows if done and called]
    mean = (sum(spans) / len(spans)) if spans else float(
        current_app.config["QUEUE_DEFAULT_SERVICE_MINUTES"])
    mean = max(mean, 0.5)
    _remember(_mean_key(office_id, business_type_id), mean)
    return mean


def counters_serving(office_id, business_type_id):
    """Active counters that serve the queue."""
    count = db.session.execute(
        db.select(func.count(HallCounter.id)).join(
            counter_business, counter_business.c.counter_id == HallCounter.id)
        .filter(HallCounter.office_id == office_id, HallCounter.active.is_(True),
                counter_business.c.business_type_id == business_type_id)).scalar_one()
    _remember(_counters_key(office_id, business_type_id), count)
    return count
