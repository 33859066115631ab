"""People who follow (or followed) the official account, keyed by openid."""
from wechat_hall.extensions import db

from .base import utcnow


class Follower(db.Model):
    """One row per openid; unsubscribing keeps the row (P-3: unsubscribe recorded)."""

    __tablename__ = "follower"

    id = db.Column(db.Integer, primary_key=True)
    openid = db.Column(db.String(64), unique=True, nullable=False)
    subscribed = db.Column(db.Boolean, nullable=False, default=False)
    subscribed_at = db.Column(db.DateTime)
    unsubscribed_at = db.Column(db.DateTime)
    # When the user last wrote or tapped: opens WeChat's customer-service window.
    last_message_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

