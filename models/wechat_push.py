"""What the hall remembers of WeChat pushes while Redis is unreachable (P-1).

Redis normally holds both: the (timestamp, nonce) pairs already used (with their body's
hash) and each push's dedup key (with the reply sent). During a Redis outage WeChat's
retries must still not run a handler twice, so the same marks go here, one row per key
under a unique index; the scheduler forgets them after the retry window.
"""
from wechat_hall.extensions import db

from .base import utcnow


class WechatPushMark(db.Model):
    """A nonce pair (``wechat:nonce:…``, ``body_hash`` set) or a push (``wechat:push:…``,
    ``reply`` once the handler answered)."""

    __tablename__ = "wechat_push_mark"

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(80), nullable=False, unique=True)
    body_hash = db.Column(db.String(64))
    reply = db.Column(db.Text)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
