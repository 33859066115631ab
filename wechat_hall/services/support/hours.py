"""Business hours of customer service (CS-4): open now? and how to say when.

``hours``: (weekday, opens, closes) with weekday 0 = Monday, times in the hall's local
time (Asia/Shanghai, ``clock.wall_time``). No line for a day: closed all day. Pure
functions; the rows come from cs_business_hours (back office, which saves a line only if
:func:`check_line` accepts it), with DEFAULT_HOURS seeded.
"""
from datetime import time

from wechat_hall.services.errors import Rejected

DEFAULT_HOURS = [(day, time(8, 30), time(17, 0)) for day in range(5)]
WEEKDAYS = "一二三四五六日"


def check_times(opens, closes):
    if opens is None or closes is None:
        raise Rejected("请填写开始时间和结束时间。")
    if closes <= opens:
        raise Rejected("结束时间必须晚于开始时间。")


def check_line(weekday, opens, closes):
    """A line of hours the back office may save: a weekday, and a close after the open."""
    if weekday not in range(7):
        raise Rejected("请选择星期。")
    check_times(opens, closes)


def is_open(now_local, hours):
    """Is ``now_local`` (naive local time) within a line of ``hours``?"""
    day, at = now_local.weekday(), now_local.time()
    return any(d == day and opens <= at < closes for d, opens, closes in hours)


def describe(hours):
    """周一至周五 8:30—17:00 (consecutive days with the same times are joined)."""
    if not hours:
        return "暂无人工服务时间"
    by_times = {}
    for day, opens, closes in sorted(hours):
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
        parts.append(f"{names} {opens.hour}:{opens.minute:02d}—{closes.hour}:{closes.minute:02d}")
    return "；".join(parts)
