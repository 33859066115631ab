"""The H5 pages a chat reply links to, by topic (keywords and clicks share them)."""
from wechat_hall.urls import public_url

# topic → (label, endpoint)
PAGES = {
    "home": ("服务大厅", "hall.home"),
    "register": ("账户注册", "planned.account_register"),
    "bind": ("账户绑定", "planned.account_bind"),
    "profile": ("个人信息", "planned.profile"),
    "query": ("证券查询", "hall.home"),
    "appointment": ("业务预约", "appointments.home"),
    "queue": ("排号进度查询", "queue.progress_page"),
    "vote": ("网络投票", "planned.votes"),
    "service": ("在线客服", "planned.service_centre"),
}


def link(topic, text=None):
    label, endpoint = PAGES[topic]
    return f'<a href="{public_url(endpoint)}">{text or label}</a>'
