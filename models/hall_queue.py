"""The hall queue (APT-7..9): counters, ticket numbers and tickets.

Ticket numbers come from ``QueueNumber`` (one row per office, day and business type,
incremented with one UPDATE … RETURNING); the 排队码 is separate and unguessable.
"""
from wechat_hall.extensions import db

from .base import utcnow

WAITING = "waiting"
CALLED = "called"
DONE = "done"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
TICKET_STATUSES = {WAITING: "等待中", CALLED: "已叫号", DONE: "已办结", NO_SHOW: "过号",
                   CANCELLED: "已作废"}

# Lower is served first: checked-in appointments before walk-ins.
PRIORITY_APPOINTMENT = 0
PRIORITY_WALK_IN = 1

counter_business = db.Table(
    "hall_counter_business",
    db.Column("counter_id", db.Integer, db.ForeignKey("hall_counter.id"), primary_key=True),
    db.Column("business_type_id", db.Integer, db.ForeignKey("business_type.id"),
              primary_key=True),
)


class HallCounter(db.Model):
    """A counter (窗口) of an office and the business types it serves."""

    __tablename__ = "hall_counter"
    __table_args__ = (db.UniqueConstraint("office_id", "name"),)

    id = db.Column(db.Integer, primary_key=True)
    office_id = db.Column(db.Integer, db.ForeignKey("office.id"), nullable=False)
    name = db.Column(db.String(32), nullable=False)  # 1号窗口
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)

    office = db.relationship("Office")
    business_types = db.relationship("BusinessType", secondary=counter_business,
                                     order_by="BusinessType.sort_order")

    def __str__(self):
        return f"{self.office.region if self.office else ''}·{self.name}"


class QueueNumber(db.Model):
    """The last number given out in one queue on one day."""

    __tablename__ = "queue_number"
    __table_args__ = (db.UniqueConstraint("office_id", "day", "business_type_id"),)

    id = db.Column(db.Integer, primary_key=True)
    office_id = db.Column(db.Integer, db.ForeignKey("office.id"), nullable=False)
    business_type_id = db.Column(db.Integer, db.ForeignKey("business_type.id"), nullable=False)
    day = db.Column(db.Date, nullable=False)
    last_number = db.Column(db.Integer, nullable=False, default=0)


class Ticket(db.Model):
    __tablename__ = "ticket"
    __table_args__ = (
        db.UniqueConstraint("office_id", "day", "business_type_id", "number",
                            name="uq_ticket_number"),
        db.UniqueConstraint("office_id", "query_code", name="uq_ticket_query_code"),
        db.Index("ix_ticket_queue", "office_id", "day", "business_type_id", "status",
                 "priority", "id"),
        db.Index("ix_ticket_counter", "counter_id", "status"),
    )

    id = db.Column(db.Integer, primary_key=True)
    office_id = db.Column(db.Integer, db.ForeignKey("office.id"), nullable=False)
    business_type_id = db.Column(db.Integer, db.ForeignKey("business_type.id"), nullable=False)
    day = db.Column(db.Date, nullable=False)
    number = db.Column(db.Integer, nullable=False)
    label = db.Column(db.String(8), nullable=False)       # 排队号 A023
    query_code = db.Column(db.String(16), nullable=False)  # 排队码
    appointment_id = db.Column(db.Integer, db.ForeignKey("appointment.id"), unique=True)
    priority = db.Column(db.Integer, nullable=False, default=PRIORITY_WALK_IN)
    status = db.Column(db.String(16), nullable=False, default=WAITING)
    issued_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    called_at = db.Column(db.DateTime)      # first call: service time runs from here
    announced_at = db.Column(db.DateTime)   # last call or recall: the display's order
    finished_at = db.Column(db.DateTime)
    call_count = db.Column(db.Integer, nullable=False, default=0)
    counter_id = db.Column(db.Integer, db.ForeignKey("hall_counter.id"))
    called_by_id = db.Column(db.Integer, db.ForeignKey("staff_user.id"))
    # 排号进度提醒 (APT-9): remind this openid when at most remind_ahead people are ahead.
    remind_openid = db.Column(db.String(64))
    remind_ahead = db.Column(db.Integer)
    reminded_at = db.Column(db.DateTime)

    office = db.relationship("Office")
    business_type = db.relationship("BusinessType")
    appointment = db.relationship("Appointment")
    counter = db.relationship("HallCounter")

    @property
    def status_label(self):
        return TICKET_STATUSES.get(self.status, self.status)
