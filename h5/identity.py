"""Who is looking at an H5 page (P-4).

Inside WeChat the page learns the openid through OAuth2 (snsapi_base) with a ``state``
kept in the session and checked on return. The web hall's phone + password login (ACC-2)
puts the investor's id in the same session, so both channels share one session model.
"""
import secrets
from functools import cache, wraps

from flask import redirect, request, session, url_for

from wechat_hall import sessions
from wechat_hall.services.wechat import api
from wechat_hall.urls import local_path

OPENID = "wechat_openid"
STATE = "oauth_state"
NEXT = "oauth_next"


def current_openid():
    return session.get(OPENID)


def safe_next(target):
    """``target`` if it is a path on this site (:func:`urls.local_path`), else the hall."""
    return local_path(target) or url_for("hall.home")


def start_oauth(next_path):
    state = secrets.token_urlsafe(24).replace("-", "").replace("_", "")[:32]
    session[STATE] = state
    session[NEXT] = safe_next(next_path)
    callback = url_for("oauth.callback", _external=True)
    return redirect(api.oauth_authorize_url(callback, state))


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
    sessions.renew(session)
    session[OPENID] = openid
    return keep_next


# -- the investor's hall account (ACC-2/3) -------------------------------------------

USER_ID = "hall_user_id"
USER_EPOCH = "hall_user_epoch"


def in_wechat():
    """The WeChat hall (the page was opened through OAuth) rather than the web hall."""
    return bool(current_openid())


def current_user():
    """The signed-in ``HallUser``, or None.

    Signed in means: logged in with phone + password in this session (and the password
    has not changed since), or, inside WeChat, the openid is bound to the account (ACC-3).
    """
    from flask import g
    if "hall_user" in g:
        return g.hall_user
    from wechat_hall.extensions import db
    user = None
    user_id = session.get(USER_ID)
    if user_id is not None:
        user = db.session.execute(_user_by("id"), {"id": user_id}).scalar()
        if user is None or user.session_epoch != session.get(USER_EPOCH):
            session.pop(USER_ID, None)
            session.pop(USER_EPOCH, None)
            user = None
    if user is None and current_openid():
        user = db.session.execute(_user_by("openid"),
                                  {"openid": current_openid()}).scalar_one_or_none()
    g.hall_user = user
    return user


@cache
def _user_by(column):
    """The SELECT of the user by ``column`` (its id: ``session.get``'s; its openid), built
    once: building it again on every page cost more CPU than the database spends
    answering (issue 15)."""
    from sqlalchemy import bindparam, select

    from models import HallUser
    return select(HallUser).where(getattr(HallUser, column) == bindparam(column))


def log_in(user):
    """A fresh session for the user (the old session id's data does not carry over),
    keeping the WeChat identity that was already proven."""
    from flask import g
    openid = current_openid()
    session.clear()
    sessions.renew(session)
    if openid:
        session[OPENID] = openid
    session[USER_ID] = user.id
    session[USER_EPOCH] = user.session_epoch
    sessions.track(session, f"hall:{user.id}")
    g.hall_user = user


def log_out():
    """End the signed-in session: its id is deleted on the server, so a copy of the old
    cookie opens nothing; inside WeChat the new session keeps only the openid."""
    from flask import g
    openid = current_openid()
    session.clear()
    sessions.renew(session)
    if openid:
        session[OPENID] = openid
    g.pop("hall_user", None)


def login_required(view):
    """The page is for signed-in users: others go to the login page and come back."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            target = request.full_path if request.query_string else request.path
            return redirect(url_for("accounts.login", next=target))
        return view(*args, **kwargs)
    return wrapped


def activated_required(view):
    """The page needs an activated 一码通 (queries, certificates, voting): others are
    sent to 绑定及激活一码通 first (ACC-8, second entry)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        user = current_user()
        if user is None:
            target = request.full_path if request.query_string else request.path
            return redirect(url_for("accounts.login", next=target))
        if not user.is_activated:
            target = request.full_path if request.query_string else request.path
            return redirect(url_for("activation.start", next=target))
        return view(*args, **kwargs)
    return wrapped
