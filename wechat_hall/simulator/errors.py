"""WeChat's error answers, as the fake API gives them.

WeChat answers refusals with HTTP 200 and ``{"errcode": …, "errmsg": "… rid: …"}``; the
app's client must cope with exactly that, so the simulator never answers a stack trace,
an HTML page or a Flask JSON error on the API paths.
"""
import json
import secrets

from flask import jsonify

# errcode → WeChat's own errmsg (English, as WeChat sends it).
ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40008: "invalid message type",
    40013: "invalid appid",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40022: "invalid sub button level",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40029: "invalid code",
    40037: "invalid template_id",
    40054: "invalid sub button url domain",
    40055: "invalid button url domain",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41008: "missing code",
    41009: "missing openid",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    43004: "require subscribe",
    44002: "empty post data",
    44004: "empty content",
    45002: "content size out of limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    46003: "menu no exist",
    47001: "data format error",
    47003: "argument invalid!",
    48001: "api unauthorized",
}


class WeChatError(Exception):
    """Raised by the simulator's rules; the API view turns it into WeChat's JSON."""

    def __init__(self, errcode, detail=""):
        base = ERRMSG.get(errcode, "error")
        super().__init__(f"{base} {detail}".strip())
        self.errcode = errcode
        self.errmsg = f"{base} {detail}".strip()


def rid():
    """WeChat appends a request id to every errmsg; developers paste it into tickets."""
    return f"{secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"


def answer(errcode, errmsg=None):
    """The JSON WeChat sends for a refusal (HTTP 200, as WeChat does)."""
    text = errmsg or ERRMSG.get(errcode, "error")
    return jsonify(errcode=errcode, errmsg=f"{text} rid: {rid()}")


def ok(**fields):
    return jsonify(errcode=0, errmsg="ok", **fields)


def json_body(request):
    """The POSTed JSON object, or WeChat's 44002 (empty) / 47001 (not a JSON object)."""
    raw = request.get_data(cache=True)
    if not raw or not raw.strip():
        raise WeChatError(44002)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WeChatError(47001) from None
    if not isinstance(data, dict):
        raise WeChatError(47001)
    return data
