"""Which days the halls are open (APT-6): the operator's table over the national calendar.

1. ``CalendarDay`` rows the operator enters in the back office (节假日与调休): they win.
   It is where a hall closes anyway (临时闭厅); removing a row reopens the day.
2. The national calendar (``services/calendar``): the imported State Council notice,
   chinese-calendar, the law's statutory days (python-holidays), the weekend rule.

``day_status`` names the source that decided, so staff and users can see why a day is
closed, and says when the decision is provisional (the year's 调休 not yet announced).
"""
from models import CalendarDay
from models.calendar import HOLIDAY, WORKDAY
from wechat_hall.extensions import db
from wechat_hall.services.calendar import national
from wechat_hall.services.calendar.national import (  # noqa: F401  (the hall's names)
    LAW,
    NOTICE,
    OPERATOR,
    PACKAGE,
    SOURCES,
    WEEKEND_RULE,
    DayStatus,
    package_years,
)


def _operator_status(row):
    if row.kind == WORKDAY:
        return DayStatus(row.day, True, OPERATOR, row.note or "调休上班")
    return DayStatus(row.day, False, OPERATOR, row.note or "休息", holiday=True)


def day_status(day, overrides=None):
    """Is ``day`` open for appointments, and who says so."""
    if overrides is None:
        row = db.session.execute(db.select(CalendarDay).filter_by(day=day)).scalar_one_or_none()
    else:
        row = overrides.get(day)
    if row is not None:
        return _operator_status(row)
    return national.national_status(day)


def statuses(first, last):
    """``day_status`` for every date from ``first`` to ``last`` with one query."""
    rows = db.session.execute(db.select(CalendarDay).filter(
        CalendarDay.day >= first, CalendarDay.day <= last)).scalars().all()
    overrides = {row.day: row for row in rows}
    return [_operator_status(overrides[d.day]) if d.day in overrides else d
            for d in national.national_statuses(first, last)]


def uses_fallback(days):
    """The years in ``days`` whose schedule is not announced yet (for the page's note)."""
    return sorted({d.day.year for d in days if d.source in (LAW, WEEKEND_RULE)})


def provisional(days):
    """The days in ``days`` that may still change when the year's notice is out."""
    return [d for d in days if d.provisional]


__all__ = ["day_status", "statuses", "uses_fallback", "provisional", "package_years",
           "DayStatus", "HOLIDAY", "WORKDAY"]
