"""What the phone shows: passive replies and outbound messages as chat-bubble data.

The chat page draws bubbles from these plain dicts with DOM calls (never innerHTML),
so a reply's text, links included, cannot inject markup into the simulator page.
"""
from xml.parsers.expat import ExpatError

import xmltodict

from models import SimOutbound
from wechat_hall.extensions import db
from wechat_hall.services.wechat.api import ERROR_TEXT

MEDIA = {"image": "[图片]", "voice": "[语音]", "video": "[视频]", "music": "[音乐]",
         "mpnews": "[图文消息]", "mpnewsarticle": "[图文消息]", "wxcard": "[卡券]",
         "miniprogrampage": "[小程序卡片]"}
HIDDEN_TEMPLATE_KEYS = {"first", "remark"}  # WeChat no longer shows them


def reply(status, xml):
    """A passive reply: ``none`` for ``success``/empty, ``error`` for a refused push."""
    if status is None:
        return {"type": "pending"}
    if status != 200:
        return {"type": "error", "status": status, "text": (xml or "")[:200]}
    if not xml or xml.strip() == "success":
        return {"type": "none"}
    try:
        data = xmltodict.parse(xml).get("xml") or {}
    except (ExpatError, ValueError):
        return {"type": "error", "status": status, "text": "回复不是合法的 XML"}
    kind = data.get("MsgType")
    if kind == "text":
        return {"type": "text", "content": data.get("Content") or ""}
    if kind == "news":
        items = (data.get("Articles") or {}).get("item") or []
        items = items if isinstance(items, list) else [items]
        return {"type": "news", "articles": [
            {"title": i.get("Title") or "", "description": i.get("Description") or "",
             "url": i.get("Url") or "", "picurl": i.get("PicUrl") or ""} for i in items]}
    if kind == "transfer_customer_service":
        return {"type": "note", "text": "（已转接人工客服）"}
    return {"type": "media", "label": MEDIA.get(kind, f"[{kind}]")}


def outbound(row):
    """A customer-service or template message; a refused one as a system note."""
    item = {"source": "outbound", "id": row.id, "at": row.created_at.isoformat(),
            "kind": row.kind}
    if row.errcode:
        label = "客服消息" if row.kind == "custom" else "模板消息"
        item["message"] = {"type": "refused", "errcode": row.errcode,
                           "text": f"{label}未送达：{row.errcode} "
                                   f"{ERROR_TEXT.get(row.errcode, row.errmsg)}"}
        return item
    body = row.payload or {}
    item["message"] = _template(body) if row.kind == "template" else _custom(body)
    return item


def _custom(body):
    msgtype = body.get("msgtype")
    part = body.get(msgtype) or {}
    if msgtype == "text":
        return {"type": "text", "content": part.get("content") or ""}
    if msgtype == "news":
        return {"type": "news", "articles": [
            {"title": a.get("title") or "", "description": a.get("description") or "",
             "url": a.get("url") or "", "picurl": a.get("picurl") or ""}
            for a in part.get("articles") or [] if isinstance(a, dict)]}
    if msgtype == "msgmenu":
        lines = [part.get("head_content") or ""]
        lines += [f"· {m.get('content', '')}" for m in part.get("list") or []
                  if isinstance(m, dict)]
        lines.append(part.get("tail_content") or "")
        return {"type": "text", "content": "\n".join(line for line in lines if line)}
    return {"type": "media", "label": MEDIA.get(msgtype, f"[{msgtype}]")}


def _template(body):
    data = body.get("data") or {}
    fields = [[key, str(value.get("value", ""))] for key, value in data.items()
              if key not in HIDDEN_TEMPLATE_KEYS and isinstance(value, dict)]
    return {"type": "template", "template_id": body.get("template_id") or "",
            "url": body.get("url") or "", "fields": fields}


def outbound_since(openid, after, limit=60):
    """Outbound messages after id ``after``, oldest first: the first ``limit`` of them
    when polling (the next poll gets the rest), the latest ``limit`` for the history."""
    query = db.select(SimOutbound).filter(SimOutbound.openid == openid,
                                          SimOutbound.id > after)
    if after:
        rows = db.session.execute(query.order_by(SimOutbound.id).limit(limit)).scalars().all()
    else:
        rows = db.session.execute(
            query.order_by(SimOutbound.id.desc()).limit(limit)).scalars().all()[::-1]
    return [outbound(row) for row in rows]
