"""The operator's own calendar entries: they override the holiday package (APT-6)."""
from wechat_hall.extensions import db

from .base import utcnow

HOLIDAY = "holiday"   # closed although the package (or the weekend rule) says open
WORKDAY = "workday"   # open although it is a weekend or the package says closed (调休)
DAY_KINDS = {HOLIDAY: "休息日（不受理预约）", WORKDAY: "工作日（调休上班）"}


class CalendarDay(db.Model):
    """One date the operator decided: where the package has no data yet (next year's
    holidays are announced in November or December) or where the hall closes anyway."""

    __tablename__ = "calendar_day"

    id = db.Column(db.Integer, primary_key=True)
    day = db.Column(db.Date, nullable=False, unique=True)
    kind = db.Column(db.String(16), nullable=False)
    note = db.Column(db.String(64), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {DAY_KINDS.get(self.kind, self.kind)}"
