"""查询服务 (Q-1..Q-7): thin views over services/queries (holdings, ipo, dividend_tax).

Filters come as GET parameters (date or start/end, account, market, page) so a result can
be bookmarked and shared with no side effect; every refusal (a date outside the window,
an account that is not the user's) is shown in Chinese above an empty table.
"""
from datetime import timedelta

from flask import Blueprint, render_template, request

from h5.identity import activated_required, current_user
from models.registry import MARKETS
from wechat_hall import clock
from wechat_hall.masking import mask_id_number, mask_name
from wechat_hall.services.accounts import id_numbers, identity_checks
from wechat_hall.services.queries import dividend_tax, holdings, ipo, scope, trading_days
from wechat_hall.services.queries.scope import QueryError

bp = Blueprint("queries", __name__, url_prefix="/h5/query")

PER_PAGE = 20

NOTES_HOLDINGS = [
    "本查询仅提供近一年内任一交易日下的证券持有信息。",
    "本查询仅提供投资者A股账户、B股账户、封闭式基金账户、信用账户中记录的A股股票、存托凭证、B股股票、"
    "全国中小企业股份转让系统挂牌公司股票、原STAQ、NET系统及退市公司A类股份和B类股份、优先股、权证、"
    "债券、基金(ETF、LOF、封闭式基金)的持有信息,其中,基金不包含本公司开放式基金登记结算系统及其他"
    "份额登记机构登记的份额。",
    "对于信用账户(具体请见“我的一码通”),本公司根据证券公司的委托对客户信用账户内的数据进行维护,"
    "所提供的查询结果供投资者复核使用,不具有法律上的证券持有登记效力。若与证券公司查询结果不一致,"
    "由证券公司负责向投资者做出解释。",
    "数量单位:股票为“股”,基金、权证和红利为“份”,债券为“元”。“元”仅代表债券的数量单位,债券的实际"
    "面值可能会因分期偿还等原因有所变化,建议参照发行人公告等确定债券的实际面值。",
    "查询结果仅包括您已绑定的一码通账户下的信息。如您持有多个一码通账户,若需查询全部一码通账户下的"
    "信息,强烈建议您赴证券公司将您全部证券账户转挂至一个一码通账户,并注销其余一码通账户;您目前也可以"
    "使用多个手机号注册多个中国结算在线用户,并分别绑定您的一码通账户。",
]


class Filters:
    """The query's parameters as typed, and the refusal if any."""

    def __init__(self, user, dated="day", span_days=30):
        args = request.args
        self.account = args.get("account", "").strip()[:12]
        self.market = args.get("market", "").strip()[:2]
        self.dated = dated
        today = clock.today()
        last = trading_days.previous_trading_day(today, inclusive=False)
        self.date = args.get("date", "")[:10] or f"{last:%Y-%m-%d}"
        self.end = args.get("end", "")[:10] or f"{today:%Y-%m-%d}"
        self.first, self.last = scope.window(1, today)
        self.start = args.get("start", "")[:10] or \
            f"{max(self.first, today - timedelta(days=span_days)):%Y-%m-%d}"
        try:
            self.page = max(1, min(int(args.get("page", "1")), 10_000))
        except ValueError:
            self.page = 1
        self.error = self.field = None
        self.scope = None
        self.accounts = scope.user_accounts(user)
        try:
            self.scope = scope.scope_for(user, self.account or None, self.market or None)
            if dated == "day":
                self.day = scope.check_date(scope.parse_date(self.date), 1,
                                                  trading=True)
            elif dated == "range":
                self.range = scope.check_range(
                    scope.parse_date(self.start, "start"),
                    scope.parse_date(self.end, "end"), 1)
        except QueryError as exc:
            self.error, self.field, self.scope = str(exc), exc.field, None

    @property
    def ok(self):
        return self.error is None

    def args(self, **changes):
        values = {"account": self.account, "market": self.market}
        if self.dated == "day":
            values["date"] = self.date
        elif self.dated == "range":
            values.update(start=self.start, end=self.end)
        values.update(changes)
        return {k: v for k, v in values.items() if v}


class Page:
    def __init__(self, items, page, total=None):
        self.total = len(items) if total is None else total
        self.pages = max(1, -(-self.total // PER_PAGE))
        self.page = min(page, self.pages)
        self.items = items if total is not None else items[
            (self.page - 1) * PER_PAGE:self.page * PER_PAGE]
        self.offset = (self.page - 1) * PER_PAGE


def _render(template, title, filters, **context):
    return render_template(f"queries/{template}", title=title, f=filters,
                           markets=MARKETS, **context)


@bp.get("/ymt")
@activated_required
def my_ymt():
    user = current_user()
    ymt, investor = user.ymt_account, user.investor
    return render_template(
        "queries/my_ymt.html", title="我的一码通", ymt=ymt, ymt_number=ymt.number,
        name=mask_name(investor.name), id_type=id_numbers.id_type_label(investor.id_type),
        id_number=mask_id_number(investor.id_number), accounts=ymt.securities_accounts,
        masked_ymt=identity_checks.masked_ymt(ymt.number))


@bp.get("/holdings", endpoint="holdings")
@activated_required
def holdings_page():
    f = Filters(current_user(), "day")
    rows = holdings.holdings_at(f.scope, f.day) if f.ok else []
    return _render("holdings.html", "证券持有余额", f, page=Page(rows, f.page),
                   notes=NOTES_HOLDINGS, cert_kind="holdings")


@bp.get("/changes", endpoint="changes")
@activated_required
def changes_page():
    f = Filters(current_user(), "range", 90)
    page = Page([], 1)
    if f.ok:
        start, end = f.range
        offset = (f.page - 1) * PER_PAGE
        items, total = holdings.changes_between(f.scope, start, end, offset, PER_PAGE)
        if not items and total and f.page > 1:  # past the last page: show the last one
            f.page = -(-total // PER_PAGE)
            items, total = holdings.changes_between(f.scope, start, end,
                                                    (f.page - 1) * PER_PAGE, PER_PAGE)
        page = Page(items, f.page, total)
    return _render("changes.html", "证券持有变更", f, page=page, cert_kind="changes")


@bp.get("/freezes", endpoint="freezes")
@activated_required
def freezes_page():
    f = Filters(current_user(), "day")
    rows = holdings.freezes_at(f.scope, f.day) if f.ok else []
    return _render("freezes.html", "证券冻结情况", f, page=Page(rows, f.page),
                   cert_kind="freezes")


@bp.get("/ipo", endpoint="ipo")
@activated_required
def ipo_page():
    f = Filters(current_user(), "range", 366)
    rows = ipo.subscriptions_between(f.scope, *f.range) if f.ok else []
    return _render("ipo.html", "新股配号中签情况", f, page=Page(rows, f.page))


@bp.get("/dividend-tax", endpoint="dividend_tax")
@activated_required
def dividend_tax_page():
    f = Filters(current_user(), "range", 366)
    rows = dividend_tax.dividend_tax(f.scope, *f.range) if f.ok else []
    amount, tax = dividend_tax.totals(rows)
    return _render("dividend_tax.html", "股息红利个人所得税", f, page=Page(rows, f.page),
                   amount=amount, tax=tax)


@bp.get("/abandoned", endpoint="abandoned")
@activated_required
def abandoned_page():
    f = Filters(current_user(), "range", 366)
    rows = ipo.abandoned_between(f.scope, *f.range) if f.ok else []
    status = ipo.market_status(f.scope) if f.ok else []
    return _render("abandoned.html", "放弃认购数据", f, page=Page(rows, f.page), status=status,
                   rule=ipo)

