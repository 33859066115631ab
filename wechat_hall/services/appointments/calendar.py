"""Which days the halls are open (APT-6): the operator's table, then the holiday package.

Sources, in order:

1. ``CalendarDay`` rows the operator enters in the back office (节假日与调休): they win.
2. ``chinese_calendar`` (statutory holidays and make-up working days, 调休). Its data
   stops at the last year the State Council has announced (1.11.0: 2026).
3. Beyond the package's data: weekends closed, weekdays open, and the page says so.

``day_status`` names the source that decided, so staff and users can see why a day is
closed.
"""
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from models import CalendarDay
from models.calendar import HOLIDAY, WORKDAY
from wechat_hall.extensions import db

OPERATOR = "operator"
PACKAGE = "package"
WEEKEND_RULE = "weekend_rule"
SOURCES = {OPERATOR: "营业厅公告", PACKAGE: "国家法定节假日安排",
           WEEKEND_RULE: "周末规则（当年节假日安排未公布）"}


@dataclass(frozen=True)
class DayStatus:
    day: date
    open: bool
    source: str
    reason: str = ""

    @property
    def source_label(self):
        return SOURCES[self.source]


def package_years():
    """The years chinese_calendar has data for."""
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return min(years), max(years)


def _package_status(day):
    try:
        workday = chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package has no data for
        return None
    if workday:
        return DayStatus(day, True, PACKAGE, "调休上班" if day.weekday() >= 5 else "")
    _, name = chinese_calendar.get_holiday_detail(day)
    return DayStatus(day, False, PACKAGE, _HOLIDAY_NAMES.get(name, "法定节假日") if name else "周末")


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def day_status(day, overrides=None):
    """Is ``day`` open for appointments, and who says so."""
    if overrides is None:
        row = db.session.execute(db.select(CalendarDay).filter_by(day=day)).scalar_one_or_none()
    else:
        row = overrides.get(day)
    if row is not None:
        return DayStatus(day, row.kind == WORKDAY, OPERATOR, row.note or (
            "调休上班" if row.kind == WORKDAY else "休息"))
    status = _package_status(day)
    if status is not None:
        return status
    return DayStatus(day, day.weekday() < 5, WEEKEND_RULE, "" if day.weekday() < 5 else "周末")


def statuses(first, last):
    """``day_status`` for every date from ``first`` to ``last`` with one query."""
    rows = db.session.execute(db.select(CalendarDay).filter(
        CalendarDay.day >= first, CalendarDay.day <= last)).scalars().all()
    overrides = {row.day: row for row in rows}
    days = []
    day = first
    while day <= last:
        days.append(day_status(day, overrides))
        day += timedelta(days=1)
    return days


def uses_fallback(days):
    """The years in ``days`` decided by the weekend rule (for the page's honest note)."""
    return sorted({d.day.year for d in days if d.source == WEEKEND_RULE})


__all__ = ["day_status", "statuses", "uses_fallback", "package_years", "DayStatus",
           "HOLIDAY", "WORKDAY"]
