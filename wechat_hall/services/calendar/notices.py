"""The State Council's holiday notice (国务院办公厅关于N年部分节假日安排的通知) as a CSV.

One line per date: ``date,kind,name`` — ``2027-02-06,holiday,春节`` for a day off
(weekdays and weekends of the holiday alike), ``2027-02-20,workday,春节调休上班`` for a
weekend worked. ``kind`` may also be written 放假 / 休 or 上班 / 班; a first line of
column names is skipped; UTF-8 (with or without BOM, as Excel saves it) or GB18030.

The whole file is checked before anything is written, and one import replaces the rows
of the years it covers: re-importing the same notice changes nothing, importing a
corrected one replaces the old. The law is checked too: a statutory day of a year in the
file must be in it as a day off, so a notice for the wrong year or a cut-off file is
refused rather than half believed.
"""
import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, event

from models import CalendarNoticeDay
from models.calendar import HOLIDAY, WORKDAY
from wechat_hall import clock
from wechat_hall.extensions import db

from . import national, statutory

KINDS = {"holiday": HOLIDAY, "放假": HOLIDAY, "休": HOLIDAY, "休息": HOLIDAY,
         "workday": WORKDAY, "上班": WORKDAY, "班": WORKDAY, "调休上班": WORKDAY}
HEADER = {"date", "日期"}
MAX_LINES = 400
NAME_MAX = 32


class NoticeRefused(ValueError):
    """The file is not imported; ``errors`` lists every line at fault, in Chinese."""

    def __init__(self, errors):
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class NoticeDay:
    day: date
    kind: str
    name: str


def _decode(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NoticeRefused(["文件编码无法识别，请保存为 UTF-8 或 GB18030 编码的 CSV。"])


def _parse_day(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse(data):
    """CSV bytes → [NoticeDay], or raise :class:`NoticeRefused` with every fault."""
    text = _decode(data)
    if "\x00" in text:
        raise NoticeRefused(["文件含有不可识别的字符（NUL），请检查是否为 CSV 文本文件。"])
    rows = list(csv.reader(io.StringIO(text)))
    errors, days, seen = [], [], {}
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in HEADER:
            continue
        if len(days) + len(errors) >= MAX_LINES:
            errors.append(f"文件超过 {MAX_LINES} 行，一份通知不会有这么多日期，请检查文件。")
            break
        where = f"第 {number} 行"
        if len(cells) < 2 or len(cells) > 3:
            errors.append(f"{where}：应为 日期,类型,名称 三列。")
            continue
        day = _parse_day(cells[0])
        kind = KINDS.get(cells[1].lower())
        name = cells[2] if len(cells) == 3 else ""
        if day is None:
            errors.append(f"{where}：日期“{cells[0][:20]}”应为 YYYY-MM-DD。")
            continue
        if kind is None:
            errors.append(f"{where}：类型“{cells[1][:20]}”应为 holiday（放假）或 workday（调休上班）。")
            continue
        if len(name) > NAME_MAX:
            errors.append(f"{where}：名称不能超过 {NAME_MAX} 个字。")
            continue
        if kind == WORKDAY and day.weekday() < 5:
            errors.append(f"{where}：{day:%Y-%m-%d} 是工作日，调休上班只会安排在周六或周日。")
            continue
        if day in seen:
            errors.append(f"{where}：{day:%Y-%m-%d} 与第 {seen[day]} 行重复。")
            continue
        seen[day] = number
        days.append(NoticeDay(day, kind, name or ("调休上班" if kind == WORKDAY else "放假")))
    if not days and not errors:
        errors.append("文件中没有日期。")
    errors += _against_the_law(days)
    if errors:
        raise NoticeRefused(errors)
    return days


def _against_the_law(days):
    """Every statutory day of each year in the file must be listed as a day off."""
    listed = {d.day: d.kind for d in days}
    errors = []
    for year in sorted({d.day.year for d in days}):
        for day, name in sorted(statutory.statutory_days(year).items()):
            if listed.get(day) != HOLIDAY:
                errors.append(f"{day:%Y-%m-%d}（{name}）是法定节假日，通知中应列为放假"
                              f"（{'现为调休上班' if day in listed else '文件中没有这一天'}）。")
    return errors


def replace(days, source=""):
    """Write ``days`` in place of the rows of the years they cover (caller commits).
    Returns the years."""
    years = sorted({d.day.year for d in days})
    db.session.execute(delete(CalendarNoticeDay).where(CalendarNoticeDay.year.in_(years)))
    now = clock.utcnow()
    db.session.add_all([CalendarNoticeDay(day=d.day, year=d.day.year, kind=d.kind, name=d.name,
                                          source=source[:128], imported_at=now) for d in days])
    db.session.flush()
    national.forget_notices()
    # This process keeps each year's notice a minute: what it read inside this transaction
    # is forgotten again when the transaction ends, committed or rolled back.
    event.listen(db.session(), "after_commit", _forget_after, once=True)
    event.listen(db.session(), "after_rollback", _forget_after, once=True)
    return years


def _forget_after(session):
    national.forget_notices()

