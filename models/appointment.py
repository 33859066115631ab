"""Appointments (APT-2..6): the places of each office's day and slot, and the bookings.

``BookingSlot`` is a slot template materialised for one date: its ``booked`` count is
taken with one conditional UPDATE, so two people can never take the last place.
``Appointment`` rows are never deleted: cancelled and expired are statuses.
"""
from wechat_hall.extensions import db

from .base import utcnow

BOOKED = "booked"            # 未取号
CHECKED_IN = "checked_in"    # 已取号
CANCELLED = "cancelled"      # 已取消
EXPIRED = "expired"          # 已过期
STATUSES = {BOOKED: "未取号", CHECKED_IN: "已取号", CANCELLED: "已取消", EXPIRED: "已过期"}
ACTIVE = (BOOKED, CHECKED_IN)

DOMESTIC = "domestic"
FOREIGN = "foreign"
AGENT_TYPES = {DOMESTIC: "境内客户", FOREIGN: "境外客户"}


class BookingSlot(db.Model):
    """(office, date, slot) → capacity and places taken."""

    __tablename__ = "booking_slot"
    __table_args__ = (
        db.UniqueConstraint("office_id", "day", "template_id"),
        db.CheckConstraint("booked >= 0", name="booked_nonneg"),
        db.CheckConstraint("capacity >= 0", name="capacity_nonneg"),
    )

    id = db.Column(db.Integer, primary_key=True)
    office_id = db.Column(db.Integer, db.ForeignKey("office.id"), nullable=False)
    template_id = db.Column(db.Integer, db.ForeignKey("slot_template.id"), nullable=False)
    day = db.Column(db.Date, nullable=False)
    start_time = db.Column(db.Time, nullable=False)
    end_time = db.Column(db.Time, nullable=False)
    capacity = db.Column(db.Integer, nullable=False)
    booked = db.Column(db.Integer, nullable=False, default=0)

    office = db.relationship("Office")
    template = db.relationship("SlotTemplate")

    @property
    def label(self):
        return f"{self.start_time:%H:%M:%S}~{self.end_time:%H:%M:%S}"

    @property
    def remaining(self):
        return max(0, self.capacity - self.booked)

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.label}"


class Appointment(db.Model):
    __tablename__ = "appointment"
    __table_args__ = (
        # The per-person rule: one active appointment per ID number and day.
        db.Index("uq_appointment_person_day", "id_number", "day", unique=True,
                 postgresql_where=db.text("status IN ('booked', 'checked_in')"),
                 sqlite_where=db.text("status IN ('booked', 'checked_in')")),
        db.Index("ix_appointment_openid_created", "openid", "created_at"),
        db.Index("ix_appointment_user_created", "hall_user_id", "created_at"),
        db.Index("ix_appointment_status_day", "status", "day"),
    )

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(16), nullable=False, unique=True)  # 预约码, in the QR
    # The one-time token of the preview page: a double tap books once.
    confirm_token = db.Column(db.String(64), nullable=False, unique=True)
    office_id = db.Column(db.Integer, db.ForeignKey("office.id"), nullable=False)
    business_type_id = db.Column(db.Integer, db.ForeignKey("business_type.id"), nullable=False)
    slot_id = db.Column(db.Integer, db.ForeignKey("booking_slot.id"), nullable=False)
    day = db.Column(db.Date, nullable=False)
    start_time = db.Column(db.Time, nullable=False)
    end_time = db.Column(db.Time, nullable=False)
    agent_type = db.Column(db.String(16), nullable=False)
    agent_name = db.Column(db.String(64), nullable=False)
    agent_company = db.Column(db.String(128), nullable=False)
    id_number = db.Column(db.String(32), nullable=False)
    items = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(16), nullable=False, default=BOOKED)
    openid = db.Column(db.String(64))
    hall_user_id = db.Column(db.Integer, db.ForeignKey("hall_user.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    checked_in_at = db.Column(db.DateTime)
    cancelled_at = db.Column(db.DateTime)
    # Why it was cancelled when not by its owner: the hall closed the day (营业厅闭厅).
    cancel_reason = db.Column(db.String(64))
    expired_at = db.Column(db.DateTime)
    reminder_sent_at = db.Column(db.DateTime)

    office = db.relationship("Office")
    business_type = db.relationship("BusinessType")
    slot = db.relationship("BookingSlot")

    @property
    def status_label(self):
        """已取消（临时闭厅） when the hall closed the day, else the status's name."""
        label = STATUSES.get(self.status, self.status)
        if self.status == CANCELLED and self.cancel_reason:
            return f"{label}（{self.cancel_reason}）"
        return label

    @property
    def agent_type_label(self):
        return AGENT_TYPES.get(self.agent_type, self.agent_type)

    @property
    def slot_label(self):
        return f"{self.start_time:%H:%M:%S}~{self.end_time:%H:%M:%S}"
