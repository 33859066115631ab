"""Simulated WeChat users: who exists and who follows, as WeChat itself knows it.

WeChat knows every follower, including those whose follow the app never recorded. The
simulator's ``sim_user`` rows are that knowledge; users that only the app knows (from
pushes sent by tests, or demo data in ``follower``) count as WeChat users too, so the
fake API does not refuse them as strangers.
"""
import re
import secrets
import string

from models import Follower, SimUser
from wechat_hall import clock
from wechat_hall.extensions import db

OPENID_RE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
_ALPHABET = string.ascii_letters + string.digits + "_-"


def new_openid():
    """28 characters starting with ``o``, like WeChat's openids."""
    return "o" + "".join(secrets.choice(_ALPHABET) for _ in range(27))


def valid_openid(openid):
    return isinstance(openid, str) and bool(OPENID_RE.match(openid))


def get(openid):
    if not valid_openid(openid):
        return None
    return db.session.execute(db.select(SimUser).filter_by(openid=openid)).scalar_one_or_none()


def create(label=""):
    count = db.session.execute(db.select(db.func.count(SimUser.id))).scalar() or 0
    user = SimUser(openid=new_openid(), label=(label or "").strip()[:32] or f"模拟用户{count + 1}")
    db.session.add(user)
    db.session.commit()
    return user


def adopt(openid):
    """A ``sim_user`` for an openid the app already knows (a follower), or None."""
    user = get(openid)
    if user is not None or not valid_openid(openid):
        return user
    follower = _follower(openid)
    if follower is None:
        return None
    user = SimUser(openid=openid, label=f"关注者 {openid[-4:]}",
                   subscribed=bool(follower.subscribed), subscribed_at=follower.subscribed_at,
                   unsubscribed_at=follower.unsubscribed_at)
    db.session.add(user)
    db.session.commit()
    return user


def _follower(openid):
    # WeChat knows everyone who pushed; the stand-in learns them from the follower table,
    # whose activity this process may still hold (services/wechat/followers.py).
    from flask import current_app

    from wechat_hall.services.wechat import followers
    followers.flush_activity(current_app._get_current_object())
    return db.session.execute(db.select(Follower).filter_by(openid=openid)).scalar_one_or_none()


def status(openid):
    """``(known, subscribed, subscribed_at)`` from WeChat's point of view."""
    user = get(openid)
    if user is not None:
        return True, user.subscribed, user.subscribed_at
    follower = _follower(openid) if valid_openid(openid) else None
    if follower is not None:
        return True, bool(follower.subscribed), follower.subscribed_at
    return False, False, None


def set_subscribed(user, subscribed):
    user.subscribed = subscribed
    if subscribed:
        user.subscribed_at = clock.utcnow()
    else:
        user.unsubscribed_at = clock.utcnow()


def listing(limit=50):
    """Simulated users first (newest first), then followers the simulator has not seen."""
    users = db.session.execute(
        db.select(SimUser).order_by(SimUser.created_at.desc()).limit(limit)).scalars().all()
    known = {u.openid for u in users}
    rows = [dict(openid=u.openid, label=u.label, subscribed=u.subscribed) for u in users]
    followers = db.session.execute(
        db.select(Follower).order_by(Follower.created_at.desc()).limit(limit)).scalars().all()
    rows += [dict(openid=f.openid, label=f"关注者 {f.openid[-4:]}", subscribed=bool(f.subscribed))
             for f in followers if f.openid not in known]
    return rows
