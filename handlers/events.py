"""Follow, unfollow and other events (P-3)."""
from wechat_hall.services.wechat import followers

from . import router
from .links import link

WELCOME = (
    "欢迎关注中国结算营业厅！\n"
    "底部有三个菜单：\n"
    "【我的账户】账户注册、账户绑定、个人信息；\n"
    "【业务办理】业务预约、排号进度、网络投票、证券查询；\n"
    "【公共服务】在线客服、营业网点、常见问题。\n"
    "也可以直接发送“预约”“投票”“排号”“查询”“绑定”“客服”。\n"
    "现在就进入{hall}。"
)


@router.prefetch
def record_activity(message):
    """Every push but an unfollow is activity; asked in the push's Redis round trip."""
    if message.type == "event" and (message.event or "").lower() in ("unsubscribe",):
        return None
    return followers.activity_probe(message.source)


@router.event("subscribe")
def on_subscribe(message):
    followers.subscribe(message.source)
    return WELCOME.format(hall=link("home"))


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
