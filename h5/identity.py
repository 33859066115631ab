"""Who is looking at an H5 page (P-4).

Inside WeChat the page learns the openid through OAuth2 (snsapi_base) with a ``state``
kept in the session and checked on return. The web hall's phone + password login (ACC-2)
will put the investor's id in the same session, so both channels share one session model.
"""
import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import redirect, request, session, url_for

from wechat_hall.services import wechat_api

OPENID = "wechat_openid"
STATE = "oauth_state"
NEXT = "oauth_next"


def current_openid():
    return session.get(OPENID)


def safe_next(target):
    """Only paths on this site: a ``next`` never sends the user elsewhere."""
    if not target:
        return url_for("hall.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("hall.home")
    return target


def start_oauth(next_path):
    state = secrets.token_urlsafe(24).replace("-", "").replace("_", "")[:32]
    session[STATE] = state
    session[NEXT] = safe_next(next_path)
    callback = url_for("oauth.callback", _external=True)
    return redirect(wechat_api.oauth_authorize_url(callback, state))


def openid_required(view):
    """The page needs to know the WeChat user: run OAuth first if we do not yet."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_openid():
            return start_oauth(request.full_path if request.query_string else request.path)
        return view(*args, **kwargs)
    return wrapped


def sign_in_openid(openid):
    """A fresh session for the newly identified user (no fixation of an old one)."""
    keep_next = session.get(NEXT)
    session.clear()
    session[OPENID] = openid
    session.permanent = True
    return keep_next
