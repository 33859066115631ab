"""The web hall's desktop layout (网上营业厅, seed 一): its navigation and where each page sits.

The pages are the same for both channels; ``base.html`` adds, outside WeChat, a header
with this navigation and the breadcrumb ``当前位置: 首页 > 用户中心 > 登录密码`` (the seed's
figures), and hall.css shows it on wide screens only (a media query), so a phone browser
keeps the phone layout. Inside WeChat none of it is rendered. The menu and the
breadcrumbs come from the one table below: a page's place is written once.
"""
from flask import request, url_for

from wechat_hall.masking import mask_name, mask_phone

from .identity import current_openid, current_user

# (section, endpoint of the section or None, [(label, endpoint), ...])
NAV = [
    ("首页", "hall.home", []),
    ("查询服务", None, [
        ("我的一码通", "queries.my_ymt"),
        ("证券持有余额", "queries.holdings"),
        ("证券持有变更", "queries.changes"),
        ("证券冻结情况", "queries.freezes"),
        ("新股配号中签情况", "queries.ipo"),
        ("股息红利个人所得税", "queries.dividend_tax"),
        ("放弃认购数据", "queries.abandoned"),
    ]),
    ("业务预约", None, [
        ("申请预约", "appointments.notice"),
        ("我的预约", "appointments.mine"),
    ]),
    ("网络投票", "votes.landing", []),
    ("用户中心", None, [
        ("登录密码", "accounts.change_password"),
        ("手机号码", "accounts.change_phone"),
        ("用户资料", "profile.show"),
    ]),
]

# Pages that are not menu entries: the section they sit in, and their own name.
PAGES = {
    "certificates.new": ("查询服务", "获取电子凭证"),
    "certificates.index": ("查询服务", "电子凭证申请记录"),
    "appointments.home": ("业务预约", None),
    "appointments.apply": ("业务预约", "申请预约"),
    "appointments.preview": ("业务预约", "申请预约"),
    "appointments.detail": ("业务预约", "我的预约"),
    "appointments.rules": ("业务预约", "中国结算业务预约规则"),
    "queue.progress_page": ("业务预约", "排号进度查询"),
    "votes.index": ("网络投票", "我的投票"),
    "votes.meeting": ("网络投票", "我的投票"),
    "votes.ballot": ("网络投票", "我要投票"),
    "votes.receipt": ("网络投票", "投票结果"),
    "votes.results": ("网络投票", "投票结果"),
    "votes.split": ("网络投票", "投票明细"),
    "votes.split_submit": ("网络投票", "投票明细"),
    "accounts.phone_done": ("用户中心", "手机号码"),
    "accounts.deregister": ("用户中心", "用户注销"),
    "email.edit": ("用户中心", "电子邮箱"),
    "activation.start": ("用户中心", "激活一码通"),
    "activation.done": ("用户中心", "激活一码通"),
}


def _place(endpoint):
    """(section, section endpoint, page label) of ``endpoint``, or None."""
    for section, section_endpoint, entries in NAV:
        if endpoint == section_endpoint:
            return section, section_endpoint, None
        for label, entry_endpoint in entries:
            if endpoint == entry_endpoint:
                return section, section_endpoint, label
    if endpoint in PAGES:
        section, label = PAGES[endpoint]
        section_endpoint = next(e for s, e, _ in NAV if s == section)
        return section, section_endpoint, label
    return None


def breadcrumbs(endpoint):
    """``[(label, url or None), ...]`` from 首页 to the page; empty for pages outside the
    menu (login, registration, the home page itself)."""
    place = _place(endpoint)
    if place is None or endpoint == "hall.home":
        return []
    section, section_endpoint, label = place
    crumbs = [("首页", url_for("hall.home"))]
    if label is None:
        crumbs.append((section, None))
        return crumbs
    crumbs.append((section, url_for(section_endpoint) if section_endpoint else None))
    crumbs.append((label, None))
    return crumbs


def menu(endpoint):
    """The header's menu: each section with its URL (or None) and entries, and which one
    holds the current page."""
    place = _place(endpoint)
    current = place[0] if place else None
    return [{"label": section,
             "url": url_for(section_endpoint) if section_endpoint else None,
             "current": section == current,
             "entries": [(label, url_for(e)) for label, e in entries]}
            for section, section_endpoint, entries in NAV]


def display_name(user):
    """How the hall names the signed-in user on screen: the masked name of the 一码通's
    holder, else the nickname, else the masked phone."""
    if user.investor:
        return mask_name(user.investor.name)
    return user.nickname or mask_phone(user.phone)


def context():
    """What base.html needs: the breadcrumbs, and outside WeChat (``web``) the menu and
    who is signed in. Inside WeChat the breadcrumbs show only where a page asks for them
    (the queries, as they always have)."""
    endpoint = request.endpoint or ""
    if not endpoint or not request.path.startswith("/h5/") or endpoint == "queue.display":
        return {"web_hall": None}  # staff pages, the back office, the hall's screen
    crumbs = breadcrumbs(endpoint)
    if current_openid():
        return {"web_hall": {"web": False, "crumbs": crumbs}}
    user = current_user()
    return {"web_hall": {"web": True, "crumbs": crumbs, "menu": menu(endpoint),
                         "user_name": display_name(user) if user else None}}


def init_app(app):
    app.context_processor(context)
