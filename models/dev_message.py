"""What the development adapters "sent": SMS and e-mails shown in the simulator's inbox."""
from wechat_hall.extensions import db

from .base import utcnow


class DevMessage(db.Model):
    __tablename__ = "dev_message"

    id = db.Column(db.Integer, primary_key=True)
    channel = db.Column(db.String(16), nullable=False)  # sms | email
    recipient = db.Column(db.String(255), nullable=False, index=True)
    subject = db.Column(db.String(255), nullable=False, default="")
    body = db.Column(db.Text, nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

    attachments = db.relationship("DevAttachment", back_populates="message",
                                  cascade="all, delete-orphan")


class DevAttachment(db.Model):
    __tablename__ = "dev_attachment"

    id = db.Column(db.Integer, primary_key=True)
    message_id = db.Column(db.Integer, db.ForeignKey("dev_message.id"), nullable=False)
    filename = db.Column(db.String(255), nullable=False)
    content_type = db.Column(db.String(128), nullable=False)
    data = db.Column(db.LargeBinary, nullable=False)

    message = db.relationship("DevMessage", back_populates="attachments")
