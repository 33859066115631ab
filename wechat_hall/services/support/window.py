"""WeChat's customer-service window for one investor (CS-3), shown before the agent types.

WeChat lets the account write to a user for 48 hours after the user's last message, at
most 5 messages until the user writes again (errors 45015 and 45047). We count from our
own records: the investor's last message in a conversation and the customer-service
messages we delivered since. WeChat's own answer stays the final word: if it refuses
anyway (a message sent by another feature, a clock difference), the refusal and its
code are recorded on the message and shown.

Sending reserves a place of the quota atomically (:func:`reserve`): a lock per investor,
held to the end of the transaction that records the message as ``sending``, so twenty
replies at once (several agents, double clicks) cannot all read "5 left". The
``sending`` row is the reservation; a refused or failed send no longer counts, which
gives the place back.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from models import CsMessage
from models.support import IN, OUT
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.db_locks import begin_write

WINDOW = timedelta(hours=48)
WINDOW_HOURS = int(WINDOW.total_seconds() // 3600)  # as the replies say it
QUOTA = 5


@dataclass
class Window:
    last_inbound_at: datetime | None
    closes_at: datetime | None
    sent: int
    now: datetime

    @property
    def is_open(self):
        return self.closes_at is not None and self.now < self.closes_at

    @property
    def remaining(self):
        return max(QUOTA - self.sent, 0) if self.is_open else 0

    @property
    def can_send(self):
        return self.remaining > 0

    @property
    def seconds_left(self):
        return max(int((self.closes_at - self.now).total_seconds()), 0) if self.is_open else 0

    def describe(self):
        """What the agent reads above the reply box."""
        if self.last_inbound_at is None:
            return "投资者尚未发来消息，不能主动发送客服消息。"
        if not self.is_open:
            return (f"回复窗口已关闭：投资者最后一条消息已超过{WINDOW_HOURS}小时（微信 45015），"
                    "投资者再次发消息后才能回复。")
        hours, rest = divmod(self.seconds_left, 3600)
        left = f"{hours}小时{rest // 60}分钟"
        if not self.remaining:
            return (f"已连续发送{QUOTA}条，投资者回复前不能再发送（微信 45047）。"
                    f"窗口还剩{left}。")
        return f"回复窗口还剩{left}，投资者回复前还可发送{self.remaining}条。"

    def as_dict(self):
        return {"open": self.is_open, "remaining": self.remaining,
                "seconds_left": self.seconds_left, "can_send": self.can_send,
                "text": self.describe()}


def compute(openid, now=None):
    now = now or clock.utcnow()
    last_in = db.session.execute(
        db.select(db.func.max(CsMessage.created_at))
        .filter(CsMessage.openid == openid, CsMessage.kind == IN)).scalar()
    if last_in is None:
        return Window(None, None, 0, now)
    sent = db.session.execute(
        db.select(db.func.count(CsMessage.id))
        .filter(CsMessage.openid == openid, CsMessage.kind == OUT,
                CsMessage.delivery.in_(("sent", "sending")),
                CsMessage.created_at >= last_in)).scalar()
    return Window(last_in, last_in + WINDOW, sent, now)


def reserve(openid, now=None):
    """Lock the investor's quota for this transaction, then compute the window: the
    caller adds its ``sending`` message and commits (which releases the lock) or rolls
    back. PostgreSQL: a transaction-scoped advisory lock on the openid; SQLite: the
    write lock (BEGIN IMMEDIATE), which serialises writers anyway."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                           {"key": f"cs-quota:{openid}"})
    else:
        begin_write()
    return compute(openid, now)
