"""The hall's clock: naive UTC for storage, Asia/Shanghai for business rules.

Tests (and demos) freeze it with ``app.config["CLOCK_NOW"]`` (a naive UTC datetime) or
the ``frozen`` context manager, so the 15:00 cutoff can be checked at 14:59, 15:00 and
15:01 without waiting for the afternoon.
"""
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow():
    """Naive UTC now (or the frozen time)."""
    if has_app_context():
        frozen = current_app.config.get("CLOCK_NOW")
        if frozen is not None:
            return frozen
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_now():
    """Aware Asia/Shanghai now."""
    return to_local(utcnow())


def to_local(naive_utc):
    return naive_utc.replace(tzinfo=timezone.utc).astimezone(SHANGHAI)


def to_utc(local_dt):
    """An aware (or naive Shanghai) local datetime → naive UTC for storage/comparison."""
    if local_dt.tzinfo is None:
        local_dt = local_dt.replace(tzinfo=SHANGHAI)
    return local_dt.astimezone(timezone.utc).replace(tzinfo=None)


def today():
    return local_now().date()


def shanghai(year, month, day, hour=0, minute=0, second=0):
    """Naive UTC of a Shanghai wall-clock time (for freezing the clock in tests)."""
    return to_utc(datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI))


@contextmanager
def frozen(app, naive_utc):
    old = app.config.get("CLOCK_NOW")
    app.config["CLOCK_NOW"] = naive_utc
    try:
        yield
    finally:
        app.config["CLOCK_NOW"] = old


def advance(app, **delta):
    app.config["CLOCK_NOW"] = (app.config.get("CLOCK_NOW") or utcnow()) + timedelta(**delta)
