"""What the WeChat simulator (P-6) remembers, so it behaves like WeChat across processes.

The fake API runs in every process of the app (gunicorn workers, RQ workers, `flask`
commands), so tokens, the pushed menu and the interaction history live in the database,
not in memory. Development and test only: production turns the simulator off.
"""
from wechat_hall.extensions import db

from .base import utcnow


class SimToken(db.Model):
    """An access token the fake API issued (``plain`` from /token, ``stable`` from
    /stable_token): checked by every other fake API call."""

    __tablename__ = "sim_token"

    id = db.Column(db.Integer, primary_key=True)
    appid = db.Column(db.String(64), nullable=False)
    token = db.Column(db.String(160), unique=True, nullable=False)
    kind = db.Column(db.String(16), nullable=False, default="plain")
    expires_at = db.Column(db.DateTime, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class SimMenu(db.Model):
    """The menu last pushed through /cgi-bin/menu/create, as WeChat keeps it."""

    __tablename__ = "sim_menu"

    id = db.Column(db.Integer, primary_key=True)
    appid = db.Column(db.String(64), unique=True, nullable=False)
    data = db.Column(db.JSON, nullable=False)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class SimUser(db.Model):
    """A simulated WeChat user. ``subscribed`` is WeChat's own truth, which the app's
    ``follower`` table only mirrors from the events it received."""

    __tablename__ = "sim_user"

    id = db.Column(db.Integer, primary_key=True)
    openid = db.Column(db.String(64), unique=True, nullable=False)
    label = db.Column(db.String(64), nullable=False, default="")
    subscribed = db.Column(db.Boolean, nullable=False, default=False)
    subscribed_at = db.Column(db.DateTime)
    unsubscribed_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class SimPush(db.Model):
    """A push the chat page sent to /wechat, with the reply and how long it took.

    ``grants`` says which customer-service quota the push opened (``message``: 5 in
    48 h, ``event``: 3 in 1 min, empty: none); a resend (``resent_of``) opens nothing,
    as WeChat's own retries do not.
    """

    __tablename__ = "sim_push"

    id = db.Column(db.Integer, primary_key=True)
    openid = db.Column(db.String(64), nullable=False, index=True)
    msg_type = db.Column(db.String(16), nullable=False)
    event = db.Column(db.String(32))
    event_key = db.Column(db.Text)
    content = db.Column(db.Text)
    note = db.Column(db.String(255), nullable=False, default="")
    msg_id = db.Column(db.BigInteger)
    create_time = db.Column(db.Integer, nullable=False)
    xml = db.Column(db.Text, nullable=False)
    grants = db.Column(db.String(16), nullable=False, default="")
    resent_of = db.Column(db.Integer, db.ForeignKey("sim_push.id"))
    reply_status = db.Column(db.Integer)
    reply_xml = db.Column(db.Text)
    latency_ms = db.Column(db.Float)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)


class SimOutbound(db.Model):
    """A customer-service or template message the app sent through the fake API,
    refused ones included (``errcode`` ≠ 0) so the chat page can show why."""

    __tablename__ = "sim_outbound"

    id = db.Column(db.Integer, primary_key=True)
    openid = db.Column(db.String(64), nullable=False, index=True)
    kind = db.Column(db.String(16), nullable=False)  # custom | template
    msgtype = db.Column(db.String(32), nullable=False, default="")
    payload = db.Column(db.JSON, nullable=False, default=dict)
    msgid = db.Column(db.BigInteger)
    client_msg_id = db.Column(db.String(128), index=True)
    errcode = db.Column(db.Integer, nullable=False, default=0)
    errmsg = db.Column(db.String(255), nullable=False, default="ok")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)


class SimOAuthCode(db.Model):
    """An OAuth2 code from the fake authorize page: works once, within 5 minutes."""

    __tablename__ = "sim_oauth_code"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(64), unique=True, nullable=False)
    appid = db.Column(db.String(64), nullable=False)
    openid = db.Column(db.String(64), nullable=False)
    scope = db.Column(db.String(32), nullable=False)
    expires_at = db.Column(db.DateTime, nullable=False)
    used_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
