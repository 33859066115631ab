"""服务大厅 (PUB-1): the home grid."""
from flask import Blueprint, redirect, render_template, url_for

from wechat_hall.masking import mask_name, mask_phone

from .identity import current_openid, current_user

bp = Blueprint("hall", __name__, url_prefix="/h5")

# label, endpoint, icon colour, feature id
GRID = [
    ("我的一码通", "queries.my_ymt", "#07c160", "Q-1"),
    ("证券持有余额", "queries.holdings", "#10aeff", "Q-2"),
    ("证券持有变更", "queries.changes", "#fa9d3b", "Q-3"),
    ("证券冻结情况", "queries.freezes", "#fa5151", "Q-4"),
    ("新股配号中签情况", "queries.ipo", "#576b95", "Q-5"),
    ("股息红利个人所得税", "queries.dividend_tax", "#ff7d00", "Q-6"),
    ("放弃认购数据", "queries.abandoned", "#91d300", "Q-7"),
    ("业务预约", "appointments.home", "#1485ee", "APT-1"),
    ("网络投票", "votes.index", "#e64340", "V-3"),
    ("在线客服", "service.centre", "#6467f0", "CS-1"),
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
    items = []
    for label, endpoint, colour, fid in GRID:
        url, confirm = url_for(endpoint), None
        # queries and voting need an activated 一码通 (ACC-8, second entry)
        if fid.startswith(("Q-", "V-")):
            if user is None:
                url = url_for("accounts.login", next=url)
            elif not user.is_activated:
                url, confirm = url_for("activation.start", next=url), NOT_ACTIVATED
        items.append(dict(label=label, url=url, colour=colour, feature=fid, initial=label[0],
                          confirm=confirm))
    name = None
    if user is not None:
        name = mask_name(user.investor.name) if user.investor else (
            user.nickname or mask_phone(user.phone))
    return render_template("hall/home.html", items=items, openid=current_openid(), user=user,
                           user_name=name)


@bp.get("")
def home_no_slash():
    return redirect(url_for("hall.home"))
