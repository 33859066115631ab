"""The fake API's menu: checked as WeChat checks it, answered with WeChat's codes.

``services/wechat/menus.validate`` lists every problem in Chinese for a person editing
menus.json; WeChat instead stops at the first problem and answers one code, with a
top-level and a sub-button variant of each (40018 vs 40025 …). The simulator must answer
like WeChat so the app's handling of refusals is exercised, hence this second checker.
The button types and which of them need a key are shared with ``services/wechat/menus``.
"""
from models import SimMenu
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.wechat.menus import TYPES, TYPES_NEEDING_KEY

from .errors import WeChatError

# (top-level code, sub-button code) for each kind of problem.
CODES = {
    "type": (40017, 40024),
    "name": (40018, 40025),
    "key": (40019, 40026),
    "url_size": (40020, 40027),
    "url_domain": (40055, 40054),
}
NAME_LIMIT = {False: 16, True: 60}  # bytes, top-level / sub-button


def _blen(value):
    return len(str(value).encode("utf-8"))


def _fail(problem, is_sub, detail):
    raise WeChatError(CODES[problem][1 if is_sub else 0], detail)


def validate(menu):
    """Raise :class:`WeChatError` with WeChat's code for the first problem found."""
    buttons = menu.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise WeChatError(40016, "hint: 1 to 3 buttons")
    for button in buttons:
        if not isinstance(button, dict):
            raise WeChatError(47001)
        _check_name(button, is_sub=False)
        subs = button.get("sub_button")
        if subs:
            if not isinstance(subs, list) or len(subs) > 5:
                raise WeChatError(40023, "hint: 1 to 5 sub buttons")
            if "type" in button:
                _fail("type", False, "hint: a button with sub_button has no type")
            for sub in subs:
                if not isinstance(sub, dict):
                    raise WeChatError(47001)
                if sub.get("sub_button"):
                    raise WeChatError(40022, "hint: only two levels")
                _check_name(sub, is_sub=True)
                _check_action(sub, is_sub=True)
        else:
            _check_action(button, is_sub=False)
    return menu


def _check_name(button, is_sub):
    name = button.get("name")
    limit = NAME_LIMIT[is_sub]
    if not isinstance(name, str) or not name or _blen(name) > limit:
        _fail("name", is_sub, f"hint: 1 to {limit} bytes")


def _check_action(button, is_sub):
    kind = button.get("type")
    if kind not in TYPES:
        _fail("type", is_sub, f"hint: unknown type {kind!r}"[:80])
    if kind in TYPES_NEEDING_KEY:
        key = button.get("key")
        if not isinstance(key, str) or not key or _blen(key) > 128:
            _fail("key", is_sub, "hint: 1 to 128 bytes")
    if kind in ("view", "miniprogram"):
        url = button.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            _fail("url_domain", is_sub, "hint: url must be http(s)")
        if _blen(url) > 1024:
            _fail("url_size", is_sub, "hint: at most 1024 bytes")
    if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
        _fail("type", is_sub, "hint: miniprogram needs appid and pagepath")


def save(appid, menu):
    row = db.session.execute(db.select(SimMenu).filter_by(appid=appid)).scalar_one_or_none()
    if row is None:
        row = SimMenu(appid=appid, data={})
        db.session.add(row)
    row.data = {"button": menu["button"]}
    row.updated_at = clock.utcnow()
    db.session.commit()
    return row


def stored(appid):
    """The pushed menu's buttons, or None when nothing was pushed (or it was deleted)."""
    row = db.session.execute(db.select(SimMenu).filter_by(appid=appid)).scalar_one_or_none()
    return row.data if row is not None else None


def as_wechat_answer(menu):
    """WeChat's /menu/get shape: wrapped in ``menu``, every leaf has ``sub_button: []``."""
    def leaf(button):
        out = dict(button)
        out["sub_button"] = [dict(sub, sub_button=[]) for sub in button.get("sub_button") or []]
        return out
    return {"menu": {"button": [leaf(b) for b in menu["button"]]}}


def delete(appid):
    db.session.execute(db.delete(SimMenu).filter_by(appid=appid))
    db.session.commit()
