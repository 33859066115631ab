"""The H5 pages a chat reply links to, by topic (keywords and clicks share them)."""
from wechat_hall.urls import wechat_url

# topic → (label, endpoint)
PAGES = {
    "home": ("服务大厅", "hall.home"),
    "register": ("账户注册", "registration.register"),
    "bind": ("账户绑定", "accounts.bind"),
    "profile": ("个人信息", "profile.show"),
    "query": ("证券查询", "hall.home"),
    "my_ymt": ("我的一码通", "queries.my_ymt"),
    "holdings": ("证券持有余额", "queries.holdings"),
    "changes": ("证券持有变更", "queries.changes"),
    "freezes": ("证券冻结情况", "queries.freezes"),
    "ipo": ("新股配号中签情况", "queries.ipo"),
    "dividend_tax": ("股息红利个人所得税", "queries.dividend_tax"),
    "abandoned": ("放弃认购数据", "queries.abandoned"),
    "certificates": ("电子凭证", "certificates.new"),
    "appointment": ("业务预约", "appointments.home"),
    "queue": ("排号进度查询", "queue.progress_page"),
    "vote": ("网络投票", "votes.index"),
    "service": ("在线客服", "service.centre"),
}


def link(topic, text=None):
    label, endpoint = PAGES[topic]
    return f'<a href="{wechat_url(endpoint)}">{text or label}</a>'
