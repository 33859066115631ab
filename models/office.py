"""Service halls (offices), their business types and appointment slot templates."""
from wechat_hall.extensions import db

from .base import utcnow


class Office(db.Model):
    """A registrar's service hall in one region (北京 / 上海 / 深圳)."""

    __tablename__ = "office"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(16), unique=True, nullable=False)  # BJ, SH, SZ
    region = db.Column(db.String(16), nullable=False)  # 北京
    name = db.Column(db.String(64), nullable=False)
    address = db.Column(db.String(255), nullable=False, default="")
    phone = db.Column(db.String(32), nullable=False, default="")
    # 预约说明 shown before the booking form.
    booking_notice = db.Column(db.Text, nullable=False, default="")
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    business_types = db.relationship("BusinessType", back_populates="office",
                                     order_by="BusinessType.sort_order")
    slot_templates = db.relationship("SlotTemplate", back_populates="office",
                                     order_by="SlotTemplate.start_time")

    def __str__(self):
        return f"{self.region}·{self.name}"


class BusinessType(db.Model):
    """业务类型 offered at one office, with its 业务办理须知 and queue-number prefix."""

    __tablename__ = "business_type"
    __table_args__ = (db.UniqueConstraint("office_id", "code"),)

    id = db.Column(db.Integer, primary_key=True)
    office_id = db.Column(db.Integer, db.ForeignKey("office.id"), nullable=False)
    code = db.Column(db.String(32), nullable=False)
    name = db.Column(db.String(64), nullable=False)
    ticket_prefix = db.Column(db.String(2), nullable=False, default="A")
    notice = db.Column(db.Text, nullable=False, default="")  # 业务办理须知
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)

    office = db.relationship("Office", back_populates="business_types")

    def __str__(self):
        return self.name


class SlotTemplate(db.Model):
    """A daily time slot (08:30:00~09:29:59) with the number of places it offers."""

    __tablename__ = "slot_template"
    __table_args__ = (db.UniqueConstraint("office_id", "start_time"),
                      db.CheckConstraint("capacity >= 0", name="capacity_nonneg"))

    id = db.Column(db.Integer, primary_key=True)
    office_id = db.Column(db.Integer, db.ForeignKey("office.id"), nullable=False)
    start_time = db.Column(db.Time, nullable=False)
    end_time = db.Column(db.Time, nullable=False)
    capacity = db.Column(db.Integer, nullable=False, default=10)
    active = db.Column(db.Boolean, nullable=False, default=True)

    office = db.relationship("Office", back_populates="slot_templates")

    @property
    def label(self):
        return f"{self.start_time:%H:%M:%S}~{self.end_time:%H:%M:%S}"

    def __str__(self):
        return self.label
