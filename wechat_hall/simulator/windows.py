"""WeChat's customer-service windows: when may the account write to a user first?

Each interaction opens a quota: a message from the user allows 5 customer-service
messages within 48 hours; a menu click, a follow or a QR scan allows 3 within one
minute. Quotas add up. A send uses the open quota that closes first (the choice that
lets the most messages through, as WeChat does). No open quota → 45015; open quotas
all used up → 45047.

The interactions are the pushes the chat page sent (``sim_push.grants``). Pushes sent
some other way (the tests' own pushes to /wechat) are known only through the app's
``follower.last_message_at``; when that is later than anything the simulator recorded,
it counts as a user message.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from models import Follower, SimOutbound, SimPush
from wechat_hall import clock
from wechat_hall.extensions import db

from .errors import WeChatError

QUOTAS = {"message": (5, timedelta(hours=48)), "event": (3, timedelta(minutes=1))}
LOOKBACK = timedelta(hours=48)
# A push the simulator recorded and the follower row it caused differ by the
# handler's run time; beyond this the follower row is a push we did not see.
UNSEEN_AFTER = timedelta(seconds=30)
# Events that open a quota (WeChat: click, scan-code menus, follow, QR scan).
GRANTING_EVENTS = {"click", "scancode_push", "scancode_waitmsg", "subscribe", "scan"}


@dataclass
class Quota:
    start: datetime
    end: datetime
    left: int

    def open_at(self, when):
        return self.start <= when <= self.end


def grant_of(msg_type, event=None):
    """Which quota a push opens: ``message``, ``event`` or ``""``."""
    if msg_type != "event":
        return "message"
    return "event" if (event or "").lower() in GRANTING_EVENTS else ""


def _quotas(openid, now):
    since = now - LOOKBACK
    rows = db.session.execute(
        db.select(SimPush.created_at, SimPush.grants)
        .filter(SimPush.openid == openid, SimPush.created_at >= since,
                SimPush.grants != "", SimPush.resent_of.is_(None))
        .order_by(SimPush.created_at)).all()
    quotas = [Quota(at, at + QUOTAS[kind][1], QUOTAS[kind][0]) for at, kind in rows]
    latest_seen = db.session.execute(
        db.select(db.func.max(SimPush.created_at)).filter(SimPush.openid == openid)
    ).scalar()
    follower = db.session.execute(
        db.select(Follower.last_message_at).filter_by(openid=openid)).scalar()
    if follower and follower >= since and (latest_seen is None or
                                           follower > latest_seen + UNSEEN_AFTER):
        count, span = QUOTAS["message"]
        quotas.append(Quota(follower, follower + span, count))
    return quotas


def _sent_times(openid, since):
    return db.session.execute(
        db.select(SimOutbound.created_at)
        .filter(SimOutbound.openid == openid, SimOutbound.kind == "custom",
                SimOutbound.errcode == 0, SimOutbound.created_at >= since)
        .order_by(SimOutbound.created_at)).scalars().all()


def check(openid, now=None):
    """Raise 45015 or 45047 if a customer-service message may not go out now."""
    now = now or clock.utcnow()
    quotas = _quotas(openid, now)
    for sent in _sent_times(openid, now - LOOKBACK):
        usable = [q for q in quotas if q.left > 0 and q.open_at(sent)]
        if usable:
            min(usable, key=lambda q: q.end).left -= 1
    open_now = [q for q in quotas if q.open_at(now)]
    if not open_now:
        raise WeChatError(45015)
    if not any(q.left > 0 for q in open_now):
        raise WeChatError(45047)
