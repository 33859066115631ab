"""OAuth2 for H5 pages (P-4), as WeChat does it: the authorize page checks its query,
issues a code for the current simulated user, and the code is traded once, within five
minutes, for the openid. Anything else is 40029, which the app must handle by starting
the flow again.
"""
import secrets
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app

from models import SimOAuthCode
from wechat_hall import clock
from wechat_hall.extensions import db

from .errors import WeChatError

CODE_LIFETIME = timedelta(minutes=5)
SCOPES = ("snsapi_base", "snsapi_userinfo")


class AuthorizeRefused(Exception):
    """The authorize page refuses the query; WeChat shows such errors as a page."""

    def __init__(self, code, text):
        super().__init__(text)
        self.code, self.text = code, text


def check_authorize(args, request_host):
    """Validate the authorize query like WeChat's page does; returns the cleaned values."""
    appid = args.get("appid", "")
    redirect_uri = args.get("redirect_uri", "")
    scope = args.get("scope", "")
    state = args.get("state", "")
    if not appid:
        raise AuthorizeRefused(10012, "appid 不能为空")
    if appid != current_app.config["WECHAT_APPID"]:
        raise AuthorizeRefused(40013, "appid 无效：不是本公众号的 AppID")
    if not redirect_uri:
        raise AuthorizeRefused(10011, "redirect_uri 不能为空")
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AuthorizeRefused(10003, "redirect_uri 不是 http(s) 地址")
    allowed = {urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname,
               (request_host or "").split(":")[0]}
    if parts.hostname not in allowed:
        raise AuthorizeRefused(10003, "redirect_uri 域名与后台配置不一致")
    if args.get("response_type") != "code":
        raise AuthorizeRefused(10001, "参数错误：response_type 必须为 code")
    if not scope:
        raise AuthorizeRefused(10010, "scope 不能为空")
    if scope not in SCOPES:
        raise AuthorizeRefused(10005, "此公众号并没有这些 scope 的权限")
    if len(state.encode("utf-8")) > 128:
        raise AuthorizeRefused(10001, "参数错误：state 不能超过 128 字节")
    return {"appid": appid, "redirect_uri": redirect_uri, "scope": scope, "state": state}


def issue(appid, openid, scope):
    row = SimOAuthCode(code=secrets.token_hex(16), appid=appid, openid=openid, scope=scope,
                       expires_at=clock.utcnow() + CODE_LIFETIME)
    db.session.add(row)
    db.session.commit()
    return row.code


def redirect_target(redirect_uri, code, state):
    """``redirect_uri`` with ``code`` and ``state`` added to its own query."""
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("code", code), ("state", state)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def exchange(code):
    """Spend a code: the answer /sns/oauth2/access_token gives, or 40029."""
    if not code:
        raise WeChatError(41008)
    row = db.session.execute(
        db.select(SimOAuthCode).filter_by(code=str(code))).scalar_one_or_none()
    now = clock.utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise WeChatError(40029)
    # Spend it with a conditional update so two concurrent exchanges cannot both win.
    spent = db.session.execute(
        db.update(SimOAuthCode).where(SimOAuthCode.id == row.id, SimOAuthCode.used_at.is_(None))
        .values(used_at=now)).rowcount
    db.session.commit()
    if spent != 1:
        raise WeChatError(40029)
    return {"access_token": secrets.token_urlsafe(64), "expires_in": 7200,
            "refresh_token": secrets.token_urlsafe(64), "openid": row.openid,
            "scope": row.scope, "is_snapshotuser": 0}
