"""Business hours of customer service (CS-4): open now? and how to say when.

``hours``: (weekday, opens, closes) with weekday 0 = Monday, times in the hall's local
time (Asia/Shanghai, ``clock.wall_time``). No line for a day: closed all day. Pure
functions; the rows come from cs_business_hours (back office, which saves a line only if
:func:`check_line` accepts it), with DEFAULT_HOURS seeded.

The table is a week plus one line-day, ``HOLIDAYS`` (7, 法定节假日); the national
calendar (``services/calendar``) bends the week: on a public holiday (元旦, 春节 …, whatever
weekday) only the 法定节假日 lines apply (none: nobody answers, the usual case), and on a
weekend worked for 调休 the hours of a working weekday apply (the day's own line if it
has one, else the first weekday's of the table), as the staff are at work that day.
"""
from datetime import time

from wechat_hall.services.errors import Rejected

DEFAULT_HOURS = [(day, time(8, 30), time(17, 0)) for day in range(5)]
WEEKDAYS = "一二三四五六日"
HOLIDAYS = 7  # the line-day of public holidays (值班时间)
DAY_NAMES = {**{i: f"周{d}" for i, d in enumerate(WEEKDAYS)}, HOLIDAYS: "法定节假日"}


def check_times(opens, closes):
    if opens is None or closes is None:
        raise Rejected("请填写开始时间和结束时间。")
    if closes <= opens:
        raise Rejected("结束时间必须晚于开始时间。")


def check_line(weekday, opens, closes):
    """A line of hours the back office may save: a weekday (or 法定节假日), and a close
    after the open."""
    if weekday not in DAY_NAMES:
        raise Rejected("请选择星期。")
    check_times(opens, closes)


def is_open(now_local, hours, day=None):
    """Is ``now_local`` (naive local time) within a line of ``hours``? ``day`` is the
    national calendar's verdict on that date (``DayStatus``: ``open``, ``holiday``), or
    None to read the table alone."""
    weekday, at = now_local.weekday(), now_local.time()
    if day is not None and day.holiday:
        weekday = HOLIDAYS
    elif (day is not None and day.open and weekday >= 5
          and not any(d == weekday for d, _, _ in hours)):
        weekdays = sorted(d for d, _, _ in hours if d < 5)
        if weekdays:
            weekday = weekdays[0]
    return any(d == weekday and opens <= at < closes for d, opens, closes in hours)


def describe(hours):
    """周一至周五 8:30—17:00 (consecutive days with the same times are joined)."""
    if not hours:
        return "暂无人工服务时间"
    holidays = [(opens, closes) for day, opens, closes in sorted(hours) if day == HOLIDAYS]
    by_times = {}
    for day, opens, closes in sorted(h for h in hours if h[0] != HOLIDAYS):
        by_times.setdefault((opens, closes), []).append(day)
    parts = []
    for (opens, closes), days in by_times.items():
        runs, start = [], days[0]
        for prev, cur in zip(days, days[1:] + [None]):
            if cur != prev + 1 if cur is not None else True:
                runs.append((start, prev))
                start = cur
        names = "、".join(f"周{WEEKDAYS[a]}" if a == b else f"周{WEEKDAYS[a]}至周{WEEKDAYS[b]}"
                         for a, b in runs)
        parts.append(f"{names} {_span(opens, closes)}")
    if holidays:
        parts.append("法定节假日 " + "、".join(_span(o, c) for o, c in holidays))
    return "；".join(parts)


def describe_with_holidays(hours):
    """:func:`describe`, and that holidays are off when the table has no line for them."""
    if hours and not any(day == HOLIDAYS for day, _, _ in hours):
        return describe(hours) + "（法定节假日除外）"
    return describe(hours)


def _span(opens, closes):
    return f"{opens.hour}:{opens.minute:02d}—{closes.hour}:{closes.minute:02d}"
