"""The phone chat page at ``/sim/`` and the small JSON endpoints its script calls.

Thin views: the rules are in :mod:`chat`, :mod:`users` and :mod:`display`.

Cross-site requests: the page shares its session cookie with the H5 pages it opens,
and an H5 login clears that session (no fixation), which would also drop a Flask-WTF
CSRF token and break the page mid-conversation. So these endpoints are exempt from
Flask-WTF and protected instead by accepting only ``application/json`` bodies (which a
cross-site form cannot send, and a cross-site script cannot without a CORS preflight we
never grant) and by refusing a foreign ``Origin``.
"""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, render_template, request, session

from models import DevMessage
from wechat_hall.extensions import db
from wechat_hall.services.wechat import menus

from . import chat, display, menu_store, users
from .api import COOKIE

bp = Blueprint("simulator", __name__, url_prefix="/sim", template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.before_request
def same_site_json_only():
    if request.method != "POST":
        return None
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        return _refuse("拒绝跨站请求", 403)
    if not request.is_json:
        return _refuse("只接受 JSON 请求", 415)
    return None


def _refuse(text, status=400):
    return jsonify(error=text), status


def _body():
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _user_or_none(openid):
    return users.adopt(openid) if isinstance(openid, str) else None


def _user_json(user):
    return {"openid": user.openid, "label": user.label, "subscribed": user.subscribed}


def current_menu():
    """The menu the phone shows: the pushed one, else menus.json (not yet pushed)."""
    stored = menu_store.stored(current_app.config["WECHAT_APPID"])
    if stored:
        return {"source": "pushed", "button": stored["button"]}
    try:
        return {"source": "file", "button": menus.load()["button"]}
    except (menus.MenuInvalid, OSError, KeyError, TypeError):
        return {"source": "none", "button": []}


def _select(response, user):
    """Remember the simulated user for the fake OAuth page; a different user must not
    inherit the H5 session of the previous one, so its WeChat identity is dropped."""
    from h5.identity import NEXT, OPENID, STATE
    if session.get(OPENID) != user.openid:
        for key in (OPENID, STATE, NEXT):
            session.pop(key, None)
    response.set_cookie(COOKIE, user.openid, samesite="Lax", httponly=True)
    return response


@bp.get("/")
def page():
    cfg = current_app.config
    boot = {"openid": request.args.get("openid") or request.cookies.get(COOKIE) or "",
            "public_base": cfg["PUBLIC_BASE_URL"], "safe_mode": chat.safe_mode()}
    return render_template("simulator/chat.html", boot=boot, users=users.listing())


@bp.get("/state")
def state():
    user = _user_or_none(request.args.get("openid"))
    last_dev = db.session.execute(db.select(db.func.max(DevMessage.id))).scalar() or 0
    base = {"menu": current_menu(), "users": users.listing(), "inbox_last": last_dev,
            "safe_mode": chat.safe_mode()}
    if user is None:
        return jsonify({**base, "user": None, "history": [], "last": 0})
    history = chat.history(user.openid)
    last = max([i["id"] for i in history if i.get("source") == "outbound"] or [0])
    return jsonify({**base, "user": _user_json(user), "history": history, "last": last})


@bp.post("/users")
def create_user():
    user = users.create(str(_body().get("label") or ""))
    return _select(jsonify(user=_user_json(user)), user)


@bp.post("/users/select")
def select_user():
    user = _user_or_none(_body().get("openid"))
    if user is None:
        return _refuse("没有这个模拟用户", 404)
    return _select(jsonify(user=_user_json(user)), user)


@bp.post("/send")
def send():
    data = _body()
    user = _user_or_none(data.get("openid"))
    if user is None:
        return _refuse("请先选择或新建模拟用户", 404)
    try:
        if data.get("type") == "text":
            item = chat.send_text(user, str(data.get("content") or ""))
        elif data.get("type") == "event":
            item = chat.send_event(user, str(data.get("event") or ""),
                                   _str_or_none(data.get("key")), str(data.get("note") or ""))
        else:
            return _refuse("不支持的消息类型")
    except chat.ChatRefused as exc:
        return _refuse(exc.text)
    return jsonify(item=dict(item, source="push"), user=_user_json(user))


@bp.post("/resend")
def resend():
    user = _user_or_none(_body().get("openid"))
    if user is None:
        return _refuse("请先选择或新建模拟用户", 404)
    try:
        item, same = chat.resend_last(user)
    except chat.ChatRefused as exc:
        return _refuse(exc.text)
    return jsonify(item=dict(item, source="push"), same=same)


@bp.get("/feed")
def feed():
    """Polled every 2 s: new outbound messages, and SMS the dev adapters just sent."""
    after = request.args.get("after", 0, type=int) or 0
    inbox_after = request.args.get("inbox_after", type=int)  # None: not watching
    openid = request.args.get("openid", "")
    items = display.outbound_since(openid, after) if users.valid_openid(openid) else []
    sms = db.session.execute(
        db.select(DevMessage).filter(DevMessage.id > inbox_after, DevMessage.channel == "sms")
        .order_by(DevMessage.id).limit(5)).scalars().all() if inbox_after is not None else []
    last_dev = db.session.execute(db.select(db.func.max(DevMessage.id))).scalar() or 0
    return jsonify(items=items, last=max([after] + [i["id"] for i in items]),
                   inbox_last=last_dev,
                   sms=[{"recipient": m.recipient, "body": m.body} for m in sms])


def _str_or_none(value):
    return str(value)[:1024] if value not in (None, "") else None
