"""Is a date a working day in China, and which source says so (see the package's docstring).

``national_status(day)`` walks the sources in order; ``national_statuses(first, last)``
does a range with one query per year. The imported notice is read from the database
and kept a minute per app and process (:func:`notice_year`); outside an application
there is no database and the notice is skipped.
"""
import time
from collections import namedtuple
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from flask import current_app, has_app_context

from models import CalendarNoticeDay
from models.calendar import WORKDAY
from wechat_hall.extensions import db

from . import statutory

OPERATOR = "operator"          # the hall's own table (services/appointments/calendar.py)
NOTICE = "notice"              # flask calendar import
PACKAGE = "package"            # chinese-calendar
LAW = "law"                    # python-holidays, the law's statutory days
WEEKEND_RULE = "weekend_rule"
SOURCES = {
    OPERATOR: "营业厅公告",
    NOTICE: "国务院节假日安排通知（已导入）",
    PACKAGE: "国务院节假日安排（chinese-calendar 收录）",
    LAW: "《全国年节及纪念日放假办法》法定节假日",
    WEEKEND_RULE: "周末规则",
}
ANNOUNCED = (OPERATOR, NOTICE, PACKAGE)


@dataclass(frozen=True)
class DayStatus:
    day: date
    open: bool           # a working day (for the halls: bookable)
    source: str          # which source decided, one of SOURCES
    reason: str = ""     # 国庆节, 周末, 调休上班, 临时闭厅 …
    holiday: bool = False      # closed for a holiday or closure, not merely a weekend
    provisional: bool = False  # the year's notice is not out and it may still change

    @property
    def source_label(self):
        return SOURCES[self.source]


# -- chinese-calendar -----------------------------------------------------------------

_PACKAGE_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def package_years():
    """The first and last year chinese-calendar has data for."""
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
    if not name:
        return DayStatus(day, False, PACKAGE, "周末")
    return DayStatus(day, False, PACKAGE, _PACKAGE_NAMES.get(name, "法定节假日"), holiday=True)


# -- the imported notice --------------------------------------------------------------

NOTICE_CACHE_SECONDS = 60
_NoticeDay = namedtuple("_NoticeDay", "day kind name")


def notice_year(year):
    """{date: (day, kind, name)} of ``year`` as imported (empty: not announced).

    Kept a minute per app and process (every booking asks): an import (`flask calendar
    import-notice`, another process) is seen everywhere within that minute, and at once
    in the process that imported it (:func:`forget_notices`)."""
    if not has_app_context():
        return {}
    cache = current_app.extensions.setdefault("calendar_notice", {})
    now = time.monotonic()
    loaded = cache.get(year)
    if loaded is None or now - loaded[0] > NOTICE_CACHE_SECONDS:
        rows = db.session.execute(db.select(CalendarNoticeDay.day, CalendarNoticeDay.kind,
                                            CalendarNoticeDay.name).filter_by(year=year))
        loaded = cache[year] = (now, {row.day: _NoticeDay(*row) for row in rows})
    return loaded[1]


def forget_notices():
    """After an import: the next lookup in this process reads the table again."""
    if has_app_context():
        current_app.extensions.pop("calendar_notice", None)


def _notice_status(row):
    if row.kind == WORKDAY:
        return DayStatus(row.day, True, NOTICE, row.name or "调休上班")
    return DayStatus(row.day, False, NOTICE, row.name or "放假", holiday=True)


# -- the walk -------------------------------------------------------------------------

def _weekend_rule(day, provisional=False):
    weekend = day.weekday() >= 5
    return DayStatus(day, not weekend, WEEKEND_RULE, "周末" if weekend else "",
                     provisional=provisional)


def national_status(day):
    """Is ``day`` a working day in China, and who says so."""
    notice = notice_year(day.year)
    row = notice.get(day)
    if row is not None:
        return _notice_status(row)
    status = _package_status(day)
    if status is not None:
        return status
    law = statutory.law_day(day)
    announced = bool(notice)
    if law is not None and (law.firm or not announced):
        return DayStatus(day, False, LAW, law.name, holiday=True, provisional=not law.firm)
    return _weekend_rule(day, provisional=not announced and statutory.near_holiday(day))


def national_statuses(first, last):
    days, day = [], first
    while day <= last:
        days.append(national_status(day))
        day += timedelta(days=1)
    return days


def is_working_day(day):
    return national_status(day).open


def is_public_holiday(day):
    """Closed for a holiday (not merely a weekend): markets and customer service rest."""
    return national_status(day).holiday
