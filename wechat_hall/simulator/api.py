"""The fake WeChat API (P-6) under ``/sim/api``, on WeChat's own paths.

Thin views: they read the request, call the simulator's rules (tokens, menu_store,
outbound, oauth_codes) and answer WeChat's JSON. Every refusal, unknown path, wrong
method or unexpected error becomes ``{"errcode", "errmsg"}`` so that the app's client
is tested against what WeChat really sends.
"""
import logging
from functools import wraps

from flask import (Blueprint, current_app, jsonify, make_response, redirect,
                   render_template, request)
from werkzeug.exceptions import HTTPException

from wechat_hall.extensions import db

from . import menu_store, oauth_codes, outbound, tokens, users
from .errors import WeChatError, answer, json_body, ok

log = logging.getLogger(__name__)
COOKIE = "sim_openid"

bp = Blueprint("sim_api", __name__, url_prefix="/sim/api", template_folder="templates")


def wechat_call(view):
    """Turn the simulator's :class:`WeChatError` into WeChat's answer."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except WeChatError as exc:
            db.session.rollback()
            return answer(exc.errcode, exc.errmsg)
    return wrapped


def needs_token(view):
    """Every API except the token ones wants a valid ``access_token`` query parameter."""
    @wraps(view)
    @wechat_call
    def wrapped(*args, **kwargs):
        tokens.check(request.args.get("access_token"))
        return view(*args, **kwargs)
    return wrapped


@bp.errorhandler(Exception)
def unexpected(exc):
    if isinstance(exc, HTTPException):
        return answer(-1, f"system error: {exc.name}")
    log.exception("fake WeChat API failed on %s", request.path)
    db.session.rollback()
    return answer(-1)


# -- access token --------------------------------------------------------------------

@bp.get("/cgi-bin/token")
@wechat_call
def token():
    if request.args.get("grant_type") != "client_credential":
        raise WeChatError(40002)
    appid = request.args.get("appid", "")
    tokens.check_credentials(appid, request.args.get("secret", ""))
    return jsonify(tokens.as_answer(tokens.issue(appid)))


@bp.post("/cgi-bin/stable_token")
@wechat_call
def stable_token():
    body = json_body(request)
    if body.get("grant_type") != "client_credential":
        raise WeChatError(40002)
    appid = body.get("appid") or ""
    tokens.check_credentials(appid, body.get("secret") or "")
    force = body.get("force_refresh") in (True, "true", 1)
    return jsonify(tokens.as_answer(tokens.stable(appid, force_refresh=force)))


# -- menu ------------------------------------------------------------------------

@bp.post("/cgi-bin/menu/create")
@needs_token
def menu_create():
    menu = menu_store.validate(json_body(request))
    menu_store.save(current_app.config["WECHAT_APPID"], menu)
    return ok()


@bp.get("/cgi-bin/menu/get")
@needs_token
def menu_get():
    menu = menu_store.stored(current_app.config["WECHAT_APPID"])
    if not menu:
        raise WeChatError(46003)
    return jsonify(menu_store.as_wechat_answer(menu))


@bp.get("/cgi-bin/menu/delete")
@needs_token
def menu_delete():
    menu_store.delete(current_app.config["WECHAT_APPID"])
    return ok()


# -- messages ------------------------------------------------------------------------

@bp.post("/cgi-bin/message/custom/send")
@needs_token
def custom_send():
    outbound.send_custom(json_body(request))
    return ok()


@bp.post("/cgi-bin/message/template/send")
@needs_token
def template_send():
    row = outbound.send_template(json_body(request))
    return ok(msgid=row.msgid)


# -- users -----------------------------------------------------------------------

@bp.get("/cgi-bin/user/info")
@needs_token
def user_info():
    openid = request.args.get("openid", "")
    if not openid:
        raise WeChatError(41009)
    known, subscribed, since = users.status(openid)
    if not known:
        raise WeChatError(40003)
    if not subscribed:
        return jsonify(subscribe=0, openid=openid)
    # Since 2021 WeChat no longer gives nickname or avatar here.
    return jsonify(subscribe=1, openid=openid, language="zh_CN",
                   subscribe_time=int(since.timestamp()) if since else 0, remark="",
                   groupid=0, tagid_list=[], subscribe_scene="ADD_SCENE_OTHERS",
                   qr_scene=0, qr_scene_str="")


# -- OAuth2 for H5 pages -------------------------------------------------------------

@bp.route("/connect/oauth2/authorize", methods=["GET", "POST"])
def authorize():
    """A browser page: who is the simulated user (cookie, or pick one), then redirect."""
    try:
        query = oauth_codes.check_authorize(request.args, request.host)
    except oauth_codes.AuthorizeRefused as exc:
        return render_template("simulator/authorize_error.html", code=exc.code,
                               text=exc.text), 400
    user = None
    if request.method == "POST":
        if request.form.get("create"):
            user = users.create(request.form.get("label", ""))
        else:
            user = users.adopt(request.form.get("openid", ""))
    elif request.cookies.get(COOKIE):
        user = users.adopt(request.cookies.get(COOKIE))
    if user is None:
        return render_template("simulator/authorize.html", users=users.listing(),
                               scope=query["scope"], action=request.full_path)
    code = oauth_codes.issue(query["appid"], user.openid, query["scope"])
    response = make_response(redirect(
        oauth_codes.redirect_target(query["redirect_uri"], code, query["state"])))
    response.set_cookie(COOKIE, user.openid, samesite="Lax", httponly=True)
    return response


@bp.get("/sns/oauth2/access_token")
@wechat_call
def oauth_access_token():
    args = request.args
    tokens.check_credentials(args.get("appid", ""), args.get("secret", ""))
    if args.get("grant_type") != "authorization_code":
        raise WeChatError(40002)
    return jsonify(oauth_codes.exchange(args.get("code", "")))


# -- everything else -----------------------------------------------------------------

KNOWN = {
    "cgi-bin/token": "GET", "cgi-bin/stable_token": "POST",
    "cgi-bin/menu/create": "POST", "cgi-bin/menu/get": "GET",
    "cgi-bin/menu/delete": "GET", "cgi-bin/message/custom/send": "POST",
    "cgi-bin/message/template/send": "POST", "cgi-bin/user/info": "GET",
    "sns/oauth2/access_token": "GET",
}


ANY = ["GET", "POST", "PUT", "DELETE", "PATCH"]


@bp.route("", methods=ANY, strict_slashes=False)
def root():
    return other("")


@bp.route("/<path:rest>", methods=ANY)
def other(rest):
    """A wrong method on a known API (43001/43002), or an API the simulator lacks."""
    method = KNOWN.get(rest.strip("/"))
    if method == "GET":
        return answer(43001)
    if method == "POST":
        return answer(43002)
    return answer(48001, "api unauthorized (not simulated)")
