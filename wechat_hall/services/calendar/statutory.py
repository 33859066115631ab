"""The law's holidays for any year (全国年节及纪念日放假办法, 2024 revision), by python-holidays.

The law fixes the statutory days: 元旦 1, 春节 4 (除夕 to 初三), 清明 1, 劳动节 2 (5月1日、
2日), 端午 1, 中秋 1, 国庆 3 (10月1日至3日); the lunar ones are computed by the library.
It also says a statutory day that falls on a weekend is made up on a working day (补假),
but *which* day, and which weekends are worked instead (调休), only the State Council's
yearly notice says. So:

- a statutory day is certain (``firm``);
- a make-up day off the library predicts (its ``observed`` rule: the next working days)
  is closed but provisional, and so is any other day the library lists for the year;
- every other day within ``SPAN`` of those may still change (a weekend worked, a
  weekday given off) and is provisional too.

Pure functions on dates: no database, no application needed.
"""
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import holidays

# The names python-holidays (zh_CN) gives the statutory days, as the hall says them.
STATUTORY = {"元旦": "元旦", "农历除夕": "春节", "春节": "春节", "清明节": "清明节",
             "劳动节": "劳动节", "端午节": "端午节", "中秋节": "中秋节", "国庆节": "国庆节"}
# Notices have put worked weekends up to 11 days before a holiday (2026-09-20 for 国庆节)
# and days off or worked weekends up to 5 days after; two weeks covers both with a margin.
SPAN = timedelta(days=14)
LIBRARY = f"python-holidays {holidays.__version__}"


@dataclass(frozen=True)
class LawDay:
    name: str      # 元旦, 春节 …; a predicted make-up day: 春节补假
    firm: bool     # a statutory day (certain), or a prediction until the notice


def _base_name(label):
    """春节（补假）→ (春节, True); 元旦 → (元旦, False); anything else → (label, None)."""
    for suffix in ("（补假，推定）", "（补假）", "（推定）"):
        if label.endswith(suffix):
            base = label[:-len(suffix)]
            return STATUTORY.get(base, base), "补假" in suffix
    return STATUTORY.get(label, label), None


@lru_cache(maxsize=64)
def law_days(year):
    """{date: LawDay} of ``year``: the statutory days and the library's other days off."""
    days = {}
    for day, labels in holidays.China(years=year, language="zh_CN").items():
        # Several labels on one date are joined with "; " by the library.
        parts = [p.strip() for p in labels.split(";")]
        statutory = [STATUTORY[p] for p in parts if p in STATUTORY]
        if statutory:
            days[day] = LawDay(statutory[0], True)
            continue
        if parts[0].startswith("休息日"):  # 休息日（由 2015-01-04 调休）: an announced swap
            days[day] = LawDay("调休休息", False)
            continue
        name, made_up = _base_name(parts[0])
        days[day] = LawDay(f"{name}补假" if made_up else name, False)
    return days


def law_day(day):
    """The law's holiday on ``day``, or None."""
    return law_days(day.year).get(day)


def statutory_days(year):
    """{date: name} of the statutory days alone (what the law fixes, nothing predicted)."""
    return {day: law.name for day, law in law_days(year).items() if law.firm}


@lru_cache(maxsize=64)
def _around(year):
    """Every date within SPAN of a day of ``law_days`` (the year's and its neighbours')."""
    near = set()
    for y in (year - 1, year, year + 1):
        for day in law_days(y):
            for offset in range(-SPAN.days, SPAN.days + 1):
                near.add(day + timedelta(days=offset))
    return frozenset(d for d in near if d.year == year)


def near_holiday(day):
    """Could the notice still change ``day`` (a weekend worked, a weekday given off)?"""
    return day in _around(day.year)
