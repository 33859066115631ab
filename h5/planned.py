"""Pages whose features are not built yet. They say so honestly, and know the user.

Each later issue replaces its entries here with the real blueprint.
"""
from flask import Blueprint, render_template

from wechat_hall.masking import mask_openid

from .identity import current_openid, openid_required

bp = Blueprint("planned", __name__, url_prefix="/h5")

# endpoint name, path, title, feature ids, needs the WeChat user
PAGES = [
    ("account_register", "/account/register", "账户注册", "ACC-1", False),
    ("account_bind", "/account/bind", "账户绑定", "ACC-3", True),
    ("profile", "/profile", "个人基本信息", "PUB-2", True),
    ("my_ymt", "/query/ymt", "我的一码通", "Q-1", True),
    ("holdings", "/query/holdings", "证券持有余额", "Q-2", True),
    ("holding_changes", "/query/changes", "证券持有变更", "Q-3", True),
    ("freezes", "/query/freezes", "证券冻结情况", "Q-4", True),
    ("ipo", "/query/ipo", "新股配号中签情况", "Q-5", True),
    ("dividend_tax", "/query/dividend-tax", "股息红利个人所得税", "Q-6", True),
    ("abandoned", "/query/abandoned", "放弃认购数据", "Q-7", True),
    ("votes", "/votes", "网络投票", "V-3", True),
    ("service_centre", "/service", "在线客服", "CS-1", True),
]


def _make_view(title, feature):
    def view():
        return render_template("hall/planned.html", title=title, feature=feature,
                               openid=mask_openid(current_openid()))
    return view


for name, path, title, feature, needs_user in PAGES:
    view = _make_view(title, feature)
    view.__name__ = name
    if needs_user:
        view = openid_required(view)
    bp.add_url_rule(path, name, view)
