"""The phone's side of the conversation: pushes to /wechat as WeChat's servers send them.

A push is built with :mod:`push` (signed; encrypted too when the app runs in safe mode),
recorded first (it opens the customer-service window before the handler can use it),
then POSTed to the app's own ``/wechat`` inside this process, so the simulator works
without knowing its host or port. The reply is decrypted, timed and kept with the push.
"""
import hashlib
import time

from flask import current_app

from models import SimPush
from wechat_hall import clock
from wechat_hall.extensions import db

from . import display, push, users, windows

ACCOUNT_PREFIX = "gh_"
TEXT_LIMIT = 2000  # characters WeChat's input box takes
EVENTS = {"subscribe", "unsubscribe", "CLICK", "VIEW"}


class ChatRefused(ValueError):
    """What the user tried cannot be sent; ``text`` says why in Chinese."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text


def account_id():
    """The account's original id (``gh_…``), stable for an appid."""
    appid = current_app.config["WECHAT_APPID"]
    return ACCOUNT_PREFIX + hashlib.sha1(appid.encode()).hexdigest()[:12]


def safe_mode():
    return bool(current_app.config["WECHAT_AES_KEY"])


def send_text(user, content):
    content = (content or "").strip()
    if not content:
        raise ChatRefused("请输入消息内容")
    if len(content) > TEXT_LIMIT:
        raise ChatRefused(f"消息不能超过 {TEXT_LIMIT} 个字")
    if not user.subscribed:
        raise ChatRefused("请先关注公众号")
    msg_id = push.new_msg_id()
    now = int(time.time())
    xml = push.text_xml(user.openid, account_id(), content, msg_id=msg_id, create_time=now)
    row = SimPush(openid=user.openid, msg_type="text", content=content, msg_id=msg_id,
                  create_time=now, xml=xml, grants=windows.grant_of("text"))
    return _deliver(row)


def send_event(user, event, key=None, note=""):
    """subscribe / unsubscribe / CLICK / VIEW, as WeChat names them in the XML."""
    if event not in EVENTS:
        raise ChatRefused("不支持的事件")
    if event in ("CLICK", "VIEW") and not key:
        raise ChatRefused("菜单缺少 key 或 url")
    if event != "subscribe" and not user.subscribed:
        raise ChatRefused("请先关注公众号")
    if event == "subscribe" and user.subscribed:
        raise ChatRefused("已经关注了公众号")
    if event in ("subscribe", "unsubscribe"):
        users.set_subscribed(user, event == "subscribe")
    now = int(time.time())
    xml = push.event_xml(user.openid, account_id(), event, key, create_time=now)
    row = SimPush(openid=user.openid, msg_type="event", event=event, event_key=key,
                  note=(note or "")[:255], create_time=now, xml=xml,
                  grants=windows.grant_of("event", event))
    return _deliver(row)


def resend_last(user):
    """WeChat's retry: the very same XML (MsgId, CreateTime) once more.

    Returns ``(item, same)`` where ``same`` tells whether the decrypted reply equals
    the first one's: the app must answer a retry with the reply it already gave.
    """
    first = db.session.execute(
        db.select(SimPush).filter_by(openid=user.openid, resent_of=None)
        .order_by(SimPush.id.desc())).scalars().first()
    if first is None:
        raise ChatRefused("还没有可以重发的推送")
    row = SimPush(openid=user.openid, msg_type=first.msg_type, event=first.event,
                  event_key=first.event_key, content=first.content, note=first.note,
                  msg_id=first.msg_id, create_time=first.create_time, xml=first.xml,
                  grants="", resent_of=first.id)
    item = _deliver(row)
    return item, item["same"]


def _same_reply(row):
    """For a resend: did it get exactly the first push's reply?"""
    first = db.session.get(SimPush, row.resent_of)
    return first is not None and row.reply_status == first.reply_status and (
        (row.reply_xml or "") == (first.reply_xml or ""))


def _deliver(row):
    # Commit before the POST: the handler runs in another session (and, on SQLite,
    # would wait for our write lock), and a late reply must find the window open.
    db.session.add(row)
    db.session.commit()
    cfg = current_app.config
    aes_key = cfg["WECHAT_AES_KEY"] or None
    args, body = push.sign(row.xml, cfg["WECHAT_TOKEN"], cfg["WECHAT_APPID"], aes_key)
    client = current_app.test_client()
    started = time.perf_counter()
    response = client.post("/wechat", query_string=args, data=body.encode("utf-8"),
                           content_type="text/xml")
    row.latency_ms = round((time.perf_counter() - started) * 1000, 1)
    row.reply_status = response.status_code
    text = response.get_data(as_text=True)
    if response.status_code == 200:
        try:
            text = push.open_reply(text, cfg["WECHAT_TOKEN"], cfg["WECHAT_APPID"], aes_key)
        except Exception as exc:  # the app sealed its reply wrongly: show, do not crash
            text = f"(无法解密回复：{type(exc).__name__})"
            row.reply_status = 0
    row.reply_xml = text
    db.session.commit()
    return entry(row)


def entry(row):
    """A push and its reply as the chat page draws them."""
    return {
        "id": row.id, "at": row.created_at.isoformat() if row.created_at else clock.utcnow().isoformat(),
        "kind": row.msg_type, "event": row.event, "key": row.event_key,
        "content": row.content, "note": row.note, "msg_id": row.msg_id,
        "create_time": row.create_time, "resent": row.resent_of is not None,
        "latency_ms": row.latency_ms, "status": row.reply_status,
        "reply": display.reply(row.reply_status, row.reply_xml),
        "same": _same_reply(row) if row.resent_of is not None else None,
    }


def history(openid, limit=60):
    """The last pushes and outbound messages of one user, oldest first."""
    pushes = db.session.execute(
        db.select(SimPush).filter_by(openid=openid).order_by(SimPush.id.desc())
        .limit(limit)).scalars().all()
    items = [dict(entry(p), source="push") for p in pushes]
    items += display.outbound_since(openid, 0, limit)
    items.sort(key=lambda item: item["at"])
    return items[-limit:]
