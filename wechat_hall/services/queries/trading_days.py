"""Business dates of the securities markets, in Asia/Shanghai (today is
``wechat_hall.clock.today()``, the hall's one clock).

A trading day is a weekday that the national calendar (``services/calendar``: the
imported State Council notice, chinese-calendar, the law's statutory days by
python-holidays) does not give off. The exchanges never open on a weekend, so a weekend
worked for 调休 is no trading day. The halls' own closures (临时闭厅) do not move the
markets and are not consulted. For a year whose notice is not out, the statutory days
and the make-up days off the law requires are not trading days; docs/APPOINTMENTS.md
(Calendar) has the sources and their order.
"""
from datetime import date, timedelta

from wechat_hall.services.calendar import national


def is_trading_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    return national.is_working_day(day)


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
