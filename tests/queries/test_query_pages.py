"""Q-1..Q-7 over HTTP: the seed's columns and notes, filters, the one-year window,
pagination, empty states, and only the user's own accounts."""
import re
from datetime import timedelta

import pytest

from wechat_hall import clock
from wechat_hall.services.queries import trading_days

from tests.queries.query_helpers import activated_user, sign_in

SEED_Q2 = ["序号", "证券代码", "证券简称", "持仓", "冻结", "托管单元名称", "证券类别", "流通类型",
           "权益类别", "挂牌年份", "权益次数", "股份性质"]


def groups(html):
    """The account lines of Q-2 (its rows are grouped by account under the seed's columns)."""
    return re.findall(r'<tr class="hall-group"><td colspan="12">证券账户 (\w+)', html)


def headers(html):
    thead = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    return re.findall(r"<th>(.*?)</th>", thead)


def body_rows(html):
    match = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S) if match else []


def text(resp):
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def last_trading_day():
    return trading_days.previous_trading_day(clock.today(), inclusive=False)


def test_holdings_have_the_seed_columns_notes_and_units(wang):
    html = text(wang.get("/h5/query/holdings"))
    assert headers(html) == SEED_Q2  # exactly the seed's columns, in its order
    assert groups(html) == ["0312600024", "A312600024"]
    for note in ["本查询仅提供近一年内任一交易日下的证券持有信息", "不具有法律上的证券持有登记效力",
                 "数量单位:股票为“股”,基金、权证和红利为“份”,债券为“元”", "强烈建议您赴证券公司"]:
        assert note in html
    assert "获取电子凭证" in html
    rows = body_rows(html)
    assert len(rows) == 10
    joined = "".join(rows)
    assert "2,500股" in joined and "15,000份" in joined and "50,000元" in joined
    zs = next(r for r in rows if "600036" in r)
    assert re.search(r"<td class=\"num\">800</td>", zs)  # the pledge
    bonus = next(r for r in rows if "600036" in r and "送股" in r)
    assert "300股" in bonus and re.search(r"<td>送股</td><td>20\d\d</td><td>1</td>", bonus)


def test_holdings_on_a_past_date_follow_the_ledger(wang):
    # Before the IPO shares were listed, 示例新材 is not held.
    day = trading_days.previous_trading_day(clock.today() - timedelta(days=120))
    html = text(wang.get(f"/h5/query/holdings?date={day}"))
    assert "示例新材" not in html and "招商银行" in html
    assert "示例新材" in text(wang.get("/h5/query/holdings"))


@pytest.mark.parametrize("query, message", [
    ("date=2020-01-06", "仅提供近一年内"),
    ("date=2999-01-01", "查询日期不能晚于今天"),
    ("date=2026-13-45", "请输入正确的日期"),
    ("date=junk", "请输入正确的日期"),
    ("market=XX", "请选择正确的交易市场"),
    ("account=A108300319", "该证券账户不属于您已绑定的一码通"),  # 刘洋's
    ("account=0312600024&market=SH", "所选证券账户不属于所选交易市场"),
])
def test_holdings_refusals(wang, query, message):
    html = text(wang.get(f"/h5/query/holdings?{query}"))
    assert message in html
    assert body_rows(html) == []


def test_a_weekend_is_not_a_trading_day(wang):
    day = clock.today() - timedelta(days=7)
    while day.weekday() != 5:
        day -= timedelta(days=1)
    assert "不是交易日" in text(wang.get(f"/h5/query/holdings?date={day}"))


def test_other_users_accounts_are_unreachable_on_every_query(wang, liu):
    for path in ["holdings", "changes", "freezes", "ipo", "dividend-tax", "abandoned"]:
        html = text(wang.get(f"/h5/query/{path}?account=A108300319"))
        assert "该证券账户不属于您已绑定的一码通" in html
        assert "A108300319" not in "".join(body_rows(html)) + "".join(groups(html))
    assert "A312600024" not in text(liu.get("/h5/query/ymt"))
    assert "A312600024" not in text(liu.get("/h5/query/holdings"))


def test_account_and_market_filters(wang):
    sh_page = text(wang.get("/h5/query/holdings?market=SH"))
    sz_page = text(wang.get("/h5/query/holdings?account=0312600024"))
    assert groups(sh_page) == ["A312600024"] and groups(sz_page) == ["0312600024"]
    sh, sz = body_rows(sh_page), body_rows(sz_page)
    assert any("600036" in r for r in sh) and not any("000001" in r for r in sh)
    assert any("000001" in r for r in sz) and not any("600036" in r for r in sz)
    assert len(sh) + len(sz) == 10


def test_my_ymt(wang):
    html = text(wang.get("/h5/query/ymt"))
    assert "180312600024" in html and "*安" in html and "211****0003" in html
    assert "211103198603040003" not in html
    assert headers(html) == ["序号", "证券账户", "交易市场", "账户类别", "账户状态", "开户日期",
                             "开户代理机构"]
    assert "A股账户" in html and "中信证券上海淮海中路证券营业部" in html


def test_changes_with_balance_after_and_pagination(app, registry):
    client = sign_in(app.test_client(), activated_user(app, "13900000271", "180278900271"))
    start = trading_days.years_back(clock.today(), 1)
    html = text(client.get(f"/h5/query/changes?start={start}"))
    assert headers(html) == ["序号", "变更日期", "证券账户", "证券代码", "证券简称", "变更数量",
                             "变更后余额", "变更摘要", "托管单元名称"]
    total = int(re.search(r"共 (\d+) 条", html).group(1))
    assert total > 20 and len(body_rows(html)) == 20
    assert 'rel="next"' in html
    last = -(-total // 20)
    page = text(client.get(f"/h5/query/changes?start={start}&page={last}"))
    assert len(body_rows(page)) == total - 20 * (last - 1)
    beyond = text(client.get(f"/h5/query/changes?start={start}&page=999"))
    assert body_rows(beyond) == body_rows(page)
    assert "开始日期不能晚于结束日期" in text(client.get(
        f"/h5/query/changes?start={clock.today()}&end={start}"))


def test_freezes_at_a_date(wang):
    html = text(wang.get("/h5/query/freezes"))
    assert headers(html)[4:9] == ["冻结数量", "冻结类型", "起始日期", "到期日期", "冻结机关/质权人"]
    assert "质押登记" in html and "中信证券股份有限公司" in html
    assert "司法冻结" in html and "上海市浦东新区人民法院" in html
    assert "协助冻结" not in "".join(body_rows(html))  # released 200 days ago
    day = trading_days.previous_trading_day(clock.today() - timedelta(days=250))
    earlier = "".join(body_rows(text(wang.get(f"/h5/query/freezes?date={day}"))))
    assert "协助冻结" in earlier and "质押登记" not in earlier


def test_ipo_rows(wang):
    html = text(wang.get("/h5/query/ipo"))
    assert headers(html) == ["序号", "证券账户", "申购日期", "申购代码", "证券代码", "证券简称",
                             "申购数量", "起始配号", "配号数量", "中签签数", "中签数量"]
    assert len(body_rows(html)) == 4
    assert "100087532" in html and "示例新材" in html


def test_dividend_tax_tiers(wang):
    html = text(wang.get("/h5/query/dividend-tax"))
    rows = body_rows(html)
    joined = "".join(rows)
    assert "20%" in joined and "10%" in joined and "免征" in joined and "未转让" in joined
    ping_an = next(r for r in rows if "601318" in r)
    assert "930.00" in ping_an and "186.00" in ping_an  # 1000 × 0.93 × 20 %
    assert "应纳税额合计 257.30 元" in html  # 186.00 + 71.30


def test_abandoned_and_the_bar(wang, liu):
    html = text(wang.get("/h5/query/abandoned"))
    assert "深圳市场：近12个月放弃认购 1 次" in html and "示例智能" in html
    assert "不得参与新股" in html  # the rule in the notes
    barred = text(liu.get("/h5/query/abandoned"))
    assert "上海市场：近12个月放弃认购 3 次" in barred and "限制至" in barred
    assert len(body_rows(barred)) == 3


def test_empty_state(app, registry):
    client = sign_in(app.test_client(), activated_user(app, "13900000082", "180440300082"))
    html = text(client.get("/h5/query/freezes"))
    assert "所选日期日终无冻结或质押记录" in html


def test_queries_need_an_activated_user(app, registry):
    anonymous = app.test_client()
    resp = anonymous.get("/h5/query/holdings")
    assert resp.status_code == 302 and "/h5/account/login" in resp.headers["Location"]
    client = sign_in(app.test_client(),
                     activated_user(app, "13900000153", "180451200153", activated=False))
    for path in ["/h5/query/ymt", "/h5/query/holdings", "/h5/certificates/new",
                 "/h5/certificates/"]:
        resp = client.get(path)
        assert resp.status_code == 302 and "/h5/ymt/activate" in resp.headers["Location"]


def test_grid_links_the_queries(wang):
    html = text(wang.get("/h5/"))
    for path in ["/h5/query/ymt", "/h5/query/holdings", "/h5/query/changes",
                 "/h5/query/freezes", "/h5/query/ipo", "/h5/query/dividend-tax",
                 "/h5/query/abandoned"]:
        assert f'href="{path}"' in html


def test_wechat_reaches_every_query(app, wechat):
    text = wechat.reply_text(wechat.event("o_clicker", "CLICK", "QUERY_SERVICES"))
    for path in ["query/ymt", "query/holdings", "query/changes", "query/freezes", "query/ipo",
                 "query/dividend-tax", "query/abandoned", "certificates/new"]:
        assert f"/h5/wx/{path}" in text, path
    assert "/h5/wx/query/holdings" in wechat.reply_text(wechat.text("o_typer", "持仓"))
    assert "/h5/wx/certificates/new" in wechat.reply_text(wechat.text("o_typer", "电子凭证"))


@pytest.mark.parametrize("query", ["page=abc", "page=-5", "page=99999999999999999999",
                                   "account=%00%ff", "account=" + "9" * 500,
                                   "start=2026-02-30&end=x", "date=%E2%80%8B", "market=%27"])
def test_junk_never_breaks_a_query(wang, query):
    ok = 400 if "%00" in query else 200  # a NUL is refused at the edge (request_guard)
    for path in ["ymt", "holdings", "changes", "freezes", "ipo", "dividend-tax", "abandoned"]:
        assert wang.get(f"/h5/query/{path}?{query}").status_code == ok
    assert wang.get(f"/h5/certificates/new?{query}").status_code == ok
    assert wang.get(f"/h5/certificates/verify?code=%00{query}").status_code == 400
    assert wang.get(f"/h5/certificates/verify?code=%ff{query}").status_code == ok
