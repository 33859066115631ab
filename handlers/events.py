"""Follow, unfollow and other events (P-3)."""
from wechat_hall.services.wechat import followers, menus

from . import router
from .links import link

NUMBERS = "零一二三四五六七八九"


def welcome():
    """The welcome names the menus and every entry in them, from menus.json (P-2)."""
    menu = menus.load()
    lines = menus.outline(menu)
    return "\n".join([
        "欢迎关注中国结算营业厅！",
        f"底部有{NUMBERS[len(lines)] if len(lines) < 10 else len(lines)}个菜单：",
        *lines,
        "也可以直接发送“预约”“投票”“排号”“查询”“绑定”“客服”。",
        f"现在就进入{link('home')}。",
    ])


@router.prefetch
def record_activity(message):
    """Every push but an unfollow is activity; asked in the push's Redis round trip."""
    if message.type == "event" and (message.event or "").lower() in ("unsubscribe",):
        return None
    return followers.activity_probe(message.source)


@router.event("subscribe")
def on_subscribe(message):
    followers.subscribe(message.source)
    return welcome()


@router.event("subscribe_scan")
def on_subscribe_scan(message):
    return on_subscribe(message)


@router.event("unsubscribe")
def on_unsubscribe(message):
    followers.unsubscribe(message.source)
    return None  # WeChat shows nothing to someone who just left


@router.event("view")
def on_view(message):
    return None  # the page opens by itself; the visit was recorded by record_activity


@router.event("click")
def on_unknown_click(message):
    return "该菜单暂不可用，请稍后再试。发送“帮助”查看营业厅能办理的业务。"
