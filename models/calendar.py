"""The calendar's own tables (APT-6, docs/APPOINTMENTS.md "Calendar"): the operator's
dates (the hall's), and the State Council's announced schedule as imported (the nation's).
"""
from wechat_hall.extensions import db

from .base import utcnow

HOLIDAY = "holiday"   # closed although the package (or the weekend rule) says open
WORKDAY = "workday"   # open although it is a weekend or the package says closed (调休)
DAY_KINDS = {HOLIDAY: "休息日（不受理预约）", WORKDAY: "工作日（调休上班）"}
NOTICE_KINDS = {HOLIDAY: "放假", WORKDAY: "调休上班"}


class CalendarDay(db.Model):
    """One date the operator decided: where the hall closes anyway (临时闭厅), or a
    national date before its notice is imported."""

    __tablename__ = "calendar_day"

    id = db.Column(db.Integer, primary_key=True)
    day = db.Column(db.Date, nullable=False, unique=True)
    kind = db.Column(db.String(16), nullable=False)
    note = db.Column(db.String(64), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {DAY_KINDS.get(self.kind, self.kind)}"


class CalendarNoticeDay(db.Model):
    """One date of the State Council's holiday notice, loaded by ``flask calendar import``:
    a day off (放假, weekdays included) or a weekend worked (调休上班). A year with rows
    here counts as announced; re-importing a year replaces its rows."""

    __tablename__ = "calendar_notice_day"

    id = db.Column(db.Integer, primary_key=True)
    day = db.Column(db.Date, nullable=False, unique=True)
    year = db.Column(db.Integer, nullable=False, index=True)
    kind = db.Column(db.String(16), nullable=False)
    name = db.Column(db.String(32), nullable=False)
    source = db.Column(db.String(128), nullable=False, default="")  # the file's name
    imported_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {NOTICE_KINDS.get(self.kind, self.kind)} {self.name}"
