"""服务大厅 (PUB-1): the home grid."""
from flask import Blueprint, redirect, render_template, url_for

from .identity import current_openid, current_user
from .webhall import display_name

bp = Blueprint("hall", __name__, url_prefix="/h5")

# label, endpoint, feature id; the icons' colours are hall.css .hall-grid__icon_<n>, in this order
GRID = [
    ("我的一码通", "queries.my_ymt", "Q-1"),
    ("证券持有余额", "queries.holdings", "Q-2"),
    ("证券持有变更", "queries.changes", "Q-3"),
    ("证券冻结情况", "queries.freezes", "Q-4"),
    ("新股配号中签情况", "queries.ipo", "Q-5"),
    ("股息红利个人所得税", "queries.dividend_tax", "Q-6"),
    ("放弃认购数据", "queries.abandoned", "Q-7"),
    ("业务预约", "appointments.home", "APT-1"),
    ("网络投票", "votes.index", "V-3"),
    ("在线客服", "service.centre", "CS-1"),
]


NOT_ACTIVATED = "您当前还未绑定一码通，是否立即绑定？"


# The first URL a newcomer types: the hall's home (PUB-1).
root_bp = Blueprint("root", __name__)


@root_bp.get("/")
def root():
    return redirect(url_for("hall.home"))


@bp.get("/")
def home():
    user = current_user()
    web = not current_openid()
    items = []
    for label, endpoint, fid in GRID:
        if web and endpoint == "votes.index":
            endpoint = "votes.landing"  # the web hall's 网络投票 page comes first (seed 三.1.1)
        url, confirm = url_for(endpoint), None
        # queries and voting need an activated 一码通 (ACC-8, second entry)
        if fid.startswith(("Q-", "V-")) and endpoint != "votes.landing":
            if user is None:
                url = url_for("accounts.login", next=url)
            elif not user.is_activated:
                url, confirm = url_for("activation.start", next=url), NOT_ACTIVATED
        items.append({"label": label, "url": url, "feature": fid, "initial": label[0],
                      "confirm": confirm})
    name = display_name(user) if user is not None else None
    return render_template("hall/home.html", items=items, openid=current_openid(), user=user,
                           user_name=name)


@bp.get("")
def home_no_slash():
    return redirect(url_for("hall.home"))
