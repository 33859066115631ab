"""The official account's menu (P-2): load ``menus.json``, validate like WeChat, push.

WeChat's limits: 1–3 top buttons, 1–5 sub-buttons each, no ``type`` on a parent,
names ≤ 16 bytes (top) / ≤ 60 bytes (sub) in UTF-8, ``key`` ≤ 128 bytes,
``url`` ≤ 1024 bytes.
"""
import json
from pathlib import Path

from flask import current_app

from wechat_hall.config import ROOT

from . import api

MENU_FILE = ROOT / "menus.json"
TYPES_NEEDING_KEY = {"click", "scancode_push", "scancode_waitmsg", "pic_sysphoto",
                     "pic_photo_or_album", "pic_weixin", "location_select"}
TYPES = TYPES_NEEDING_KEY | {"view", "miniprogram", "media_id", "article_id",
                             "article_view_limited"}


class MenuInvalid(ValueError):
    """The menu breaks a WeChat rule; ``errors`` lists every problem in Chinese."""

    def __init__(self, errors):
        super().__init__("；".join(errors))
        self.errors = errors


def load(path=None):
    """Read the menu file and fill ``{PUBLIC_BASE_URL}`` in its URLs."""
    text = Path(path or MENU_FILE).read_text(encoding="utf-8")
    text = text.replace("{PUBLIC_BASE_URL}", current_app.config["PUBLIC_BASE_URL"])
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MenuInvalid([f"menus.json 不是合法的 JSON：第 {exc.lineno} 行 {exc.msg}"]) from None


def outline(menu):
    """The menu in words, one line per top button: ``【我的账户】账户注册、…、服务大厅；`` —
    so the welcome names every entry the menu has (it is read from the same file)."""
    lines = []
    buttons = menu.get("button", [])
    for i, top in enumerate(buttons):
        names = "、".join(sub["name"] for sub in top.get("sub_button", []))
        end = "。" if i == len(buttons) - 1 else "；"
        lines.append(f"【{top['name']}】{names}{end}" if names else f"【{top['name']}】{end}")
    return lines


def _blen(value):
    return len(str(value).encode("utf-8"))


def validate(menu):
    """Return the menu if WeChat would take it; else raise :class:`MenuInvalid`."""
    errors = []
    buttons = menu.get("button") if isinstance(menu, dict) else None
    if not isinstance(buttons, list) or not buttons:
        raise MenuInvalid(["菜单必须有 button 数组，且至少一个一级菜单"])
    if len(buttons) > 3:
        errors.append(f"一级菜单最多 3 个，现有 {len(buttons)} 个")
    for i, button in enumerate(buttons, 1):
        where = f"一级菜单 {i}（{button.get('name', '') if isinstance(button, dict) else ''}）"
        if not isinstance(button, dict):
            errors.append(f"{where} 必须是对象")
            continue
        errors += _check_name(where, button, 16)
        subs = button.get("sub_button")
        if subs:
            if "type" in button:
                errors.append(f"{where} 有子菜单，不能再设置 type")
            if not isinstance(subs, list):
                errors.append(f"{where} 的 sub_button 必须是数组")
                continue
            if len(subs) > 5:
                errors.append(f"{where} 的子菜单最多 5 个，现有 {len(subs)} 个")
            for j, sub in enumerate(subs, 1):
                sub_where = f"{where} 的子菜单 {j}（{sub.get('name', '') if isinstance(sub, dict) else ''}）"
                if not isinstance(sub, dict):
                    errors.append(f"{sub_where} 必须是对象")
                    continue
                if sub.get("sub_button"):
                    errors.append(f"{sub_where} 不能再有子菜单")
                errors += _check_name(sub_where, sub, 60)
                errors += _check_action(sub_where, sub)
        else:
            errors += _check_action(where, button)
    if errors:
        raise MenuInvalid(errors)
    return menu


def _check_name(where, button, limit):
    name = button.get("name")
    if not isinstance(name, str) or not name.strip():
        return [f"{where} 缺少名称"]
    if _blen(name) > limit:
        return [f"{where} 名称“{name}”为 {_blen(name)} 字节，超过 {limit} 字节"]
    return []


def _check_action(where, button):
    kind = button.get("type")
    if kind not in TYPES:
        return [f"{where} 的 type “{kind}” 不是微信支持的按钮类型"]
    errors = []
    if kind in TYPES_NEEDING_KEY:
        key = button.get("key")
        if not isinstance(key, str) or not key:
            errors.append(f"{where} 类型为 {kind}，必须有 key")
        elif _blen(key) > 128:
            errors.append(f"{where} 的 key 超过 128 字节")
    if kind == "view":
        url = button.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            errors.append(f"{where} 类型为 view，必须有 http(s) 开头的 url")
        elif _blen(url) > 1024:
            errors.append(f"{where} 的 url 超过 1024 字节")
    if kind == "miniprogram" and not all(button.get(k) for k in ("appid", "pagepath", "url")):
        errors.append(f"{where} 类型为 miniprogram，必须有 appid、pagepath 和 url")
    if kind in ("media_id", "article_id", "article_view_limited") and not (
            button.get("media_id") or button.get("article_id")):
        errors.append(f"{where} 类型为 {kind}，必须有 media_id 或 article_id")
    return errors


def click_keys(menu):
    """Every CLICK key of the menu (a test checks each has a handler)."""
    keys = []
    for button in menu["button"]:
        for sub in button.get("sub_button") or [button]:
            if sub.get("type") == "click":
                keys.append(sub["key"])
    return keys


def push(menu):
    validate(menu)
    return api.get_client().menu.create(menu)


def show():
    return api.get_client().menu.get()


def delete():
    return api.get_client().menu.delete()
