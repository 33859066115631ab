"""Access tokens of the fake API, kept in the database so every process accepts them.

Like WeChat: ``/cgi-bin/token`` hands out a new token on each call; ``stable_token``
gives back the same token until it expires unless ``force_refresh`` is asked for, and a
forced refresh leaves the old stable token five more minutes of life. A token we never
issued is 40001, one past its expiry 42001.
"""
import hmac
import secrets
from datetime import timedelta

from flask import current_app

from models import SimToken
from wechat_hall import clock
from wechat_hall.extensions import db

from .errors import WeChatError

EXPIRES_IN = 7200
GRACE = timedelta(minutes=5)


def check_credentials(appid, secret):
    """41002/41004 when missing, 40013 for another account, 40125 for a wrong secret."""
    cfg = current_app.config
    if not appid:
        raise WeChatError(41002)
    if not secret:
        raise WeChatError(41004)
    if not hmac.compare_digest(str(appid).encode(), cfg["WECHAT_APPID"].encode()):
        raise WeChatError(40013)
    if not hmac.compare_digest(str(secret).encode(), cfg["WECHAT_SECRET"].encode()):
        raise WeChatError(40125)


def _new_token():
    # WeChat's tokens are long opaque strings of letters, digits, '_' and '-'.
    return secrets.token_urlsafe(96)[:136]


def issue(appid, kind="plain"):
    row = SimToken(appid=appid, token=_new_token(), kind=kind,
                   expires_at=clock.utcnow() + timedelta(seconds=EXPIRES_IN))
    db.session.add(row)
    db.session.commit()
    return row


def stable(appid, force_refresh=False):
    """The current stable token, or a new one (the old one then ends within 5 minutes)."""
    now = clock.utcnow()
    current = db.session.execute(
        db.select(SimToken).filter_by(appid=appid, kind="stable")
        .where(SimToken.expires_at > now).order_by(SimToken.expires_at.desc())
    ).scalars().first()
    if current is not None and not force_refresh:
        return current
    if current is not None:
        current.expires_at = min(current.expires_at, now + GRACE)
    return issue(appid, kind="stable")


def as_answer(row):
    remaining = round((row.expires_at - clock.utcnow()).total_seconds())
    return {"access_token": row.token, "expires_in": max(remaining, 0)}


def check(token):
    """The appid a valid ``access_token`` belongs to; else 41001 / 40001 / 42001."""
    if not token:
        raise WeChatError(41001)
    row = db.session.execute(db.select(SimToken).filter_by(token=token)).scalar_one_or_none()
    if row is None or row.appid != current_app.config["WECHAT_APPID"]:
        raise WeChatError(40001)
    if row.expires_at <= clock.utcnow():
        raise WeChatError(42001)
    return row.appid
