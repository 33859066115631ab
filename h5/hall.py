"""服务大厅 (PUB-1): the home grid."""
from flask import Blueprint, redirect, render_template, url_for

from .identity import current_openid

bp = Blueprint("hall", __name__, url_prefix="/h5")

# label, endpoint, icon colour, feature id
GRID = [
    ("我的一码通", "planned.my_ymt", "#07c160", "Q-1"),
    ("证券持有余额", "planned.holdings", "#10aeff", "Q-2"),
    ("证券持有变更", "planned.holding_changes", "#fa9d3b", "Q-3"),
    ("证券冻结情况", "planned.freezes", "#fa5151", "Q-4"),
    ("新股配号中签情况", "planned.ipo", "#576b95", "Q-5"),
    ("股息红利个人所得税", "planned.dividend_tax", "#ff7d00", "Q-6"),
    ("放弃认购数据", "planned.abandoned", "#91d300", "Q-7"),
    ("业务预约", "appointments.home", "#1485ee", "APT-1"),
    ("网络投票", "planned.votes", "#e64340", "V-3"),
    ("在线客服", "planned.service_centre", "#6467f0", "CS-1"),
]


@bp.get("/")
def home():
    items = [dict(label=label, url=url_for(endpoint), colour=colour, feature=fid,
                  initial=label[0], planned=endpoint.startswith("planned."))
             for label, endpoint, colour, fid in GRID]
    return render_template("hall/home.html", items=items, openid=current_openid())


@bp.get("")
def home_no_slash():
    return redirect(url_for("hall.home"))
