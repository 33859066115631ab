"""Business dates of the securities markets, in Asia/Shanghai.

A trading day is a weekday that is not a public holiday. ``chinese_calendar`` knows the
holidays up to 2026 (docs/ENGINEERING.md §8); for a year it does not know, weekdays count
as trading days, which is the honest fallback until an operator table takes over.
"""
from datetime import date, timedelta

from wechat_hall import clock


def today():
    """Today's date in Shanghai (the registrar's business date), by the hall's clock: a
    frozen clock (``CLOCK_NOW``) moves it too."""
    return clock.today()


def is_trading_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    try:
        import chinese_calendar
        return not chinese_calendar.is_holiday(day)
    except (ImportError, NotImplementedError):
        return True


def previous_trading_day(day: date, inclusive=True) -> date:
    """The trading day on or before ``day`` (strictly before when not inclusive)."""
    if not inclusive:
        day -= timedelta(days=1)
    while not is_trading_day(day):
        day -= timedelta(days=1)
    return day


def trading_days(start: date, end: date):
    """Every trading day from ``start`` to ``end`` inclusive."""
    day = start
    while day <= end:
        if is_trading_day(day):
            yield day
        day += timedelta(days=1)


def years_back(day: date, years: int) -> date:
    """The same calendar day ``years`` ago (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def months_after(day: date, months: int) -> date:
    """The same calendar day ``months`` later, clipped to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
