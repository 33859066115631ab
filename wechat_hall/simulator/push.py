"""Build pushes exactly as WeChat's servers send them to ``/wechat``.

Used by the simulator's chat page and by the protocol tests: XML for a message or an
event, signed with the token, and in safe mode encrypted with the AES key (wechatpy's
own crypto) and signed again as ``msg_signature``.
"""
import hashlib
import secrets
import time
from xml.sax.saxutils import escape

from wechatpy.crypto import WeChatCrypto


def _sha1(*parts):
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode()).hexdigest()


def _cdata(value):
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def message_xml(kind, source, target, create_time=None, msg_id=None, **fields):
    """XML of a user message (``kind`` = text, image …) as WeChat formats it."""
    create_time = create_time or int(time.time())
    parts = [f"<ToUserName>{_cdata(target)}</ToUserName>",
             f"<FromUserName>{_cdata(source)}</FromUserName>",
             f"<CreateTime>{create_time}</CreateTime>",
             f"<MsgType>{_cdata(kind)}</MsgType>"]
    for name, value in fields.items():
        parts.append(f"<{name}>{_cdata(value)}</{name}>")
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


def text_xml(source, target, content, msg_id=None, create_time=None):
    msg_id = msg_id if msg_id is not None else new_msg_id()
    return message_xml("text", source, target, create_time, msg_id, Content=content)


def event_xml(source, target, event, key=None, create_time=None):
    fields = {"Event": event}
    if key is not None:
        fields["EventKey"] = key
    return message_xml("event", source, target, create_time, None, **fields)


def new_msg_id():
    return int(time.time() * 1000) * 1000 + secrets.randbelow(1000)


def sign(xml, token, appid=None, aes_key=None, timestamp=None, nonce=None):
    """Return ``(query_args, body)`` for a POST to /wechat, plain or safe mode."""
    timestamp = str(timestamp or int(time.time()))
    nonce = nonce or secrets.token_hex(5)
    args = {"signature": _sha1(token, timestamp, nonce), "timestamp": timestamp,
            "nonce": nonce, "openid": _openid_of(xml)}
    if not aes_key:
        return args, xml
    crypto = WeChatCrypto(token, aes_key, appid)
    sealed = crypto.encrypt_message(xml, nonce, timestamp)
    # encrypt_message produces WeChat's reply shape; a push carries ToUserName + Encrypt.
    import xmltodict
    encrypt = xmltodict.parse(sealed)["xml"]["Encrypt"]
    body = f"<xml><ToUserName>{_cdata(_target_of(xml))}</ToUserName><Encrypt>{_cdata(encrypt)}</Encrypt></xml>"
    args.update(encrypt_type="aes", msg_signature=_sha1(token, timestamp, nonce, encrypt))
    return args, body


def open_reply(body, token, appid=None, aes_key=None):
    """Decrypt (in safe mode) the reply /wechat sent back; returns the reply XML."""
    if not aes_key or body in ("", "success"):
        return body
    import xmltodict
    data = xmltodict.parse(body)["xml"]
    crypto = WeChatCrypto(token, aes_key, appid)
    return crypto.decrypt_message(body, data["MsgSignature"], data["TimeStamp"], data["Nonce"])


def _openid_of(xml):
    import re
    match = re.search(r"<FromUserName><!\[CDATA\[(.*?)\]\]></FromUserName>", xml)
    return match.group(1) if match else ""


def _target_of(xml):
    import re
    match = re.search(r"<ToUserName><!\[CDATA\[(.*?)\]\]></ToUserName>", xml)
    return escape(match.group(1)) if match else ""
