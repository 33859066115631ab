"""The hall's one clock: naive UTC for storage, Asia/Shanghai for business rules.

Every "now" and "today" of a rule comes from here — model column defaults included
(``models.base``) — so freezing it with ``app.config["CLOCK_NOW"]`` (a naive UTC
datetime) moves the whole hall at once: the 15:00 booking cutoff, the query window, the
certificates' daily quota, the voting window, login lockouts, the customer-service reply
window, how long a half-finished account flow is kept. Only protocol and machinery times
stay real: the age of a WeChat push's signature (and the simulator's pushes), the signing
time of a PDF, the scheduler's intervals, and Redis expiry.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

SHANGHAI = ZoneInfo("Asia/Shanghai")
EPOCH = datetime(1970, 1, 1)


def utcnow():
    """Naive UTC now (or the frozen time)."""
    if has_app_context():
        frozen = current_app.config.get("CLOCK_NOW")
        if frozen is not None:
            return frozen
    return datetime.now(timezone.utc).replace(tzinfo=None)


def timestamp():
    """Seconds since the Unix epoch, of :func:`utcnow`."""
    return (utcnow() - EPOCH).total_seconds()


def local_now():
    """Aware Asia/Shanghai now."""
    return to_local(utcnow())


def today():
    """The registrar's business date: today in Shanghai."""
    return local_now().date()


def to_local(naive_utc):
    """A stored (naive UTC) time → aware Asia/Shanghai."""
    return naive_utc.replace(tzinfo=timezone.utc).astimezone(SHANGHAI)


def wall_time(naive_utc):
    """A stored (naive UTC) time → naive Shanghai wall-clock time, as staff type it and
    as the business-hours table holds it. None stays None."""
    return None if naive_utc is None else to_local(naive_utc).replace(tzinfo=None)


def to_utc(local_dt):
    """An aware (or naive Shanghai) local datetime → naive UTC for storage/comparison.
    None stays None."""
    if local_dt is None:
        return None
    if local_dt.tzinfo is None:
        local_dt = local_dt.replace(tzinfo=SHANGHAI)
    return local_dt.astimezone(timezone.utc).replace(tzinfo=None)


def day_start(day):
    """Naive UTC of 00:00 Shanghai on ``day``."""
    return to_utc(datetime(day.year, day.month, day.day))


def format_local(naive_utc, fmt="%Y-%m-%d %H:%M"):
    """A stored time as people in the hall read it ("" for none)."""
    return "" if naive_utc is None else to_local(naive_utc).strftime(fmt)


def shanghai(year, month, day, hour=0, minute=0, second=0):
    """Naive UTC of a Shanghai wall-clock time (for freezing the clock in tests and demos)."""
    return to_utc(datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI))
