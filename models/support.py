"""Online customer service (CS-1..4): queues, agents, rules, knowledge, conversations.

A conversation belongs to one investor (openid) and one queue, and moves
bot (智能助手) → waiting (排队) → assigned (人工) → resolved (已结束). At most one
conversation per openid is open (not resolved): a partial unique index says so, so two
first messages arriving together cannot open two.
"""
from wechat_hall.extensions import db

from .base import utcnow

BOT, WAITING, ASSIGNED, RESOLVED = "bot", "waiting", "assigned", "resolved"
STATUSES = {BOT: "智能助手", WAITING: "排队中", ASSIGNED: "人工服务中", RESOLVED: "已结束"}
QUEUE_KINDS = {"market": "按市场", "business": "按业务系统"}
PRESENCE = {"online": "在线", "busy": "忙碌", "offline": "离线"}
# Message kinds: the investor's text, an agent's reply, the bot's answer (passive reply),
# an internal note (never sent), an event line (assigned, transferred, resolved …).
IN, OUT, BOT_REPLY, NOTE, EVENT = "in", "out", "bot", "note", "event"
RATINGS = {1: "非常满意", 2: "满意", 3: "不满意"}


class CsQueue(db.Model):
    """Where a conversation waits: a market (沪市, 深市, 北京) or a business system."""

    __tablename__ = "cs_queue"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(16), unique=True, nullable=False)
    name = db.Column(db.String(32), nullable=False)
    kind = db.Column(db.String(16), nullable=False, default="business")
    description = db.Column(db.String(255), nullable=False, default="")
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)

    def __str__(self):
        return self.name


cs_agent_queue = db.Table(
    "cs_agent_queue",
    db.Column("staff_id", db.Integer, db.ForeignKey("cs_agent.staff_id"), primary_key=True),
    db.Column("queue_id", db.Integer, db.ForeignKey("cs_queue.id"), primary_key=True),
)


class CsAgent(db.Model):
    """An agent's customer-service settings and presence. The row is also the lock that
    serialises assignments to this agent (services/support/assignment.py)."""

    __tablename__ = "cs_agent"

    staff_id = db.Column(db.Integer, db.ForeignKey("staff_user.id"), primary_key=True)
    presence = db.Column(db.String(16), nullable=False, default="offline")
    capacity = db.Column(db.Integer, nullable=False, default=5)
    last_heartbeat_at = db.Column(db.DateTime)
    last_assigned_at = db.Column(db.DateTime)
    lock_version = db.Column(db.Integer, nullable=False, default=0)

    staff = db.relationship("StaffUser")
    queues = db.relationship("CsQueue", secondary=cs_agent_queue, order_by="CsQueue.sort_order")

    def __str__(self):
        return self.staff.display_name or self.staff.username if self.staff else str(self.staff_id)


class CsRule(db.Model):
    """One line of the routing table: a regular expression and the queue it sends to.
    Lines are tried in ``sort_order``; the first that matches wins."""

    __tablename__ = "cs_rule"

    id = db.Column(db.Integer, primary_key=True)
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    pattern = db.Column(db.String(255), nullable=False)
    queue_id = db.Column(db.Integer, db.ForeignKey("cs_queue.id"), nullable=False)
    note = db.Column(db.String(255), nullable=False, default="")
    active = db.Column(db.Boolean, nullable=False, default=True)

    queue = db.relationship("CsQueue")


class CsKnowledge(db.Model):
    """A knowledge-base answer. ``keywords``: words separated by spaces or commas; the
    entry answers a question containing enough of them. No queue: every queue."""

    __tablename__ = "cs_knowledge"

    id = db.Column(db.Integer, primary_key=True)
    queue_id = db.Column(db.Integer, db.ForeignKey("cs_queue.id"))
    question = db.Column(db.String(128), nullable=False)
    keywords = db.Column(db.String(255), nullable=False, default="")
    answer = db.Column(db.Text, nullable=False)
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)

    queue = db.relationship("CsQueue")


class CsCannedReply(db.Model):
    """A canned reply; agents type ``::shortcut`` to use it."""

    __tablename__ = "cs_canned_reply"

    id = db.Column(db.Integer, primary_key=True)
    shortcut = db.Column(db.String(32), unique=True, nullable=False)
    title = db.Column(db.String(64), nullable=False)
    body = db.Column(db.Text, nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)


class CsBusinessHours(db.Model):
    """Hours agents answer on one weekday (0 = Monday). No row: closed that day."""

    __tablename__ = "cs_business_hours"

    id = db.Column(db.Integer, primary_key=True)
    weekday = db.Column(db.Integer, nullable=False)
    opens = db.Column(db.Time, nullable=False)
    closes = db.Column(db.Time, nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)


_open = db.text(f"status <> '{RESOLVED}'")


class CsConversation(db.Model):
    __tablename__ = "cs_conversation"
    __table_args__ = (
        db.Index("uq_cs_conversation_open", "openid", unique=True,
                 postgresql_where=_open, sqlite_where=_open),
        db.Index("ix_cs_conversation_queue", "status", "queue_id", "waiting_since"),
        db.Index("ix_cs_conversation_agent", "assigned_to_id", "status"),
        db.Index("ix_cs_conversation_openid", "openid", "created_at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    openid = db.Column(db.String(64), nullable=False)
    queue_id = db.Column(db.Integer, db.ForeignKey("cs_queue.id"))
    # How the queue was decided: investor (their choice), rule, clarify, knowledge, transfer.
    routed_by = db.Column(db.String(16), nullable=False, default="")
    status = db.Column(db.String(16), nullable=False, default=BOT)
    # A question we could not route and asked about (the clarifying question is out).
    pending_question = db.Column(db.Text)
    assigned_to_id = db.Column(db.Integer, db.ForeignKey("staff_user.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_activity_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_inbound_at = db.Column(db.DateTime)
    waiting_since = db.Column(db.DateTime)
    assigned_at = db.Column(db.DateTime)
    resolved_at = db.Column(db.DateTime)
    resolved_by_id = db.Column(db.Integer, db.ForeignKey("staff_user.id"))
    rating = db.Column(db.Integer)
    rating_asked_at = db.Column(db.DateTime)
    rated_at = db.Column(db.DateTime)

    queue = db.relationship("CsQueue")
    assigned_to = db.relationship("StaffUser", foreign_keys=[assigned_to_id])
    messages = db.relationship("CsMessage", back_populates="conversation",
                               order_by="CsMessage.id")

    @property
    def status_label(self):
        return STATUSES.get(self.status, self.status)


class CsMessage(db.Model):
    __tablename__ = "cs_message"
    __table_args__ = (db.Index("ix_cs_message_conversation", "conversation_id", "id"),
                      db.Index("ix_cs_message_openid", "openid", "kind", "created_at"))

    id = db.Column(db.Integer, primary_key=True)
    conversation_id = db.Column(db.Integer, db.ForeignKey("cs_conversation.id"), nullable=False)
    openid = db.Column(db.String(64), nullable=False)  # the investor's, for window queries
    kind = db.Column(db.String(8), nullable=False)
    author_id = db.Column(db.Integer, db.ForeignKey("staff_user.id"))
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # Agent replies: sending → sent | refused (WeChat's errcode) | failed (no answer).
    delivery = db.Column(db.String(16), nullable=False, default="")
    errcode = db.Column(db.Integer)
    error_text = db.Column(db.String(255))

    conversation = db.relationship("CsConversation", back_populates="messages")
    author = db.relationship("StaffUser")
