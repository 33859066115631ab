"""Customer-service and template messages sent to the fake API: WeChat's checks, then
a record per openid that the chat page shows as the user would see it.

Refused sends are recorded too (with their errcode) so that a developer watching the
chat page sees that, and why, a message did not arrive.
"""
import re
import secrets
from datetime import timedelta

from models import SimOutbound
from wechat_hall import clock
from wechat_hall.extensions import db

from . import users, windows
from .errors import WeChatError

CUSTOM_TYPES = {"text", "image", "voice", "video", "music", "news", "mpnews",
                "mpnewsarticle", "msgmenu", "wxcard", "miniprogrampage"}
TEXT_LIMIT = 2048  # bytes
DEDUP_SPAN = timedelta(minutes=10)  # client_msg_id works for 10 minutes

# Template field types: the key's letters before its number (thing1, amount3 …).
# type → (max characters, pattern the value must match or None)
FIELD_RULES = {
    "thing": (20, None),
    "phrase": (5, re.compile(r"^[\u4e00-\u9fff]+$")),
    "character_string": (32, re.compile(r"^[\x21-\x7e]+$")),
    "number": (32, re.compile(r"^[+-]?\d+(\.\d+)?$")),
    "letter": (32, re.compile(r"^[A-Za-z]+$")),
    "symbol": (5, None),
    "amount": (32, None),
    "time": (32, None),
    "date": (32, None),
    "phone_number": (17, re.compile(r"^[\d+\-() ]+$")),
    "car_number": (8, None),
    "name": (20, None),
    "const": (20, None),
}
UNTYPED_LIMIT = 200  # old-style keys (keyword1 …): WeChat only truncates them
IGNORED_KEYS = {"first", "remark"}  # no longer shown by WeChat
_KEY_RE = re.compile(r"^([a-z_]+?)(\d+)$")


def _new_msgid():
    return secrets.randbelow(2 ** 62) + 10 ** 15


def _record(openid, kind, body, errcode=0, errmsg="ok", msgid=None, client_msg_id=None):
    row = SimOutbound(openid=openid, kind=kind, msgtype=str(body.get("msgtype") or kind)[:32],
                      payload=body, errcode=errcode, errmsg=errmsg[:255], msgid=msgid,
                      client_msg_id=client_msg_id)
    db.session.add(row)
    db.session.commit()
    return row


def _recipient(body):
    openid = body.get("touser")
    if not isinstance(openid, str) or not openid:
        raise WeChatError(40003)
    known, subscribed, _ = users.status(openid)
    if not known:
        raise WeChatError(40003)
    return openid, subscribed


def send_custom(body):
    """Check and record a customer-service message; raises :class:`WeChatError`."""
    openid, subscribed = _recipient(body)
    try:
        _check_custom(body)
        if not subscribed:
            raise WeChatError(43004)
        windows.check(openid)
    except WeChatError as exc:
        if exc.errcode in (43004, 45015, 45047):
            _record(openid, "custom", body, exc.errcode, exc.errmsg)
        raise
    return _record(openid, "custom", body)


def _check_custom(body):
    msgtype = body.get("msgtype")
    if msgtype not in CUSTOM_TYPES:
        raise WeChatError(40008)
    part = body.get(msgtype)
    if not isinstance(part, dict):
        raise WeChatError(47001)
    if msgtype == "text":
        content = part.get("content")
        if not isinstance(content, str) or not content:
            raise WeChatError(44004)
        if len(content.encode("utf-8")) > TEXT_LIMIT:
            raise WeChatError(45002)
    if msgtype == "news" and not isinstance(part.get("articles"), list):
        raise WeChatError(47001)


def send_template(body):
    """Check and record a template message; the same ``client_msg_id`` to the same user
    within 10 minutes answers the first msgid and sends nothing."""
    openid, subscribed = _recipient(body)
    template_id = body.get("template_id")
    if not isinstance(template_id, str) or not template_id.strip():
        raise WeChatError(40037)
    client_msg_id = body.get("client_msg_id")
    if client_msg_id is not None and not isinstance(client_msg_id, str):
        raise WeChatError(47001)
    if client_msg_id:
        earlier = db.session.execute(
            db.select(SimOutbound).filter(
                SimOutbound.kind == "template", SimOutbound.openid == openid,
                SimOutbound.client_msg_id == client_msg_id, SimOutbound.errcode == 0,
                SimOutbound.created_at >= clock.utcnow() - DEDUP_SPAN)).scalars().first()
        if earlier is not None:
            return earlier
    check_template_data(body.get("data"))
    if not subscribed:
        _record(openid, "template", body, 43004, "require subscribe")
        raise WeChatError(43004)
    return _record(openid, "template", body, msgid=_new_msgid(), client_msg_id=client_msg_id)


def check_template_data(data):
    """47003 names the first field whose value breaks its type's rule."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise WeChatError(47001)
    for key, field in data.items():
        if key in IGNORED_KEYS:
            continue
        value = field.get("value") if isinstance(field, dict) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value:
            raise WeChatError(47003, f"data.{key}.value invalid")
        match = _KEY_RE.match(key)
        key_type = match.group(1) if match else ""
        limit, pattern = FIELD_RULES.get(key_type, (UNTYPED_LIMIT, None))
        if key_type == "name" and re.search(r"[\u4e00-\u9fff]", value):
            limit = 10  # names: 10 Chinese characters or 20 letters
        if len(value) > limit:
            raise WeChatError(47003, f"data.{key}.value exceeds limit {limit}")
        if pattern is not None and not pattern.match(value):
            raise WeChatError(47003, f"data.{key}.value invalid format")
