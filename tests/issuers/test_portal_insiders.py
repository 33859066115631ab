"""ISS-4 董监高持股 through HTTP: the issuer declares its 董监高 (证件类别 + 证件号码), and
sees their holdings by 限售 / 高管锁定股 / 无限售, yesterday's changes and a period's, from
the ledger, as of yesterday; only its own declarations, only in the self-service hours."""
from datetime import date

import pytest

from models import HoldingChange, IssuerInsider, SecuritiesAccount, Security
from tests import seeding
from tests.issuers.portal_helpers import IssuerBrowser, flash_of, text
from wechat_hall import clock
from wechat_hall.extensions import db

ZHANG_WEI_ACCOUNT = "A278900271"  # 张伟: a demo holder of 600888, declared 董事 by the demo


@pytest.fixture
def issuer(app):
    seeding.load(app, "demo")
    browser = IssuerBrowser(app)
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 10, 0)
    return browser


def _person(app, number):
    with app.app_context():
        account = db.session.execute(db.select(SecuritiesAccount).filter_by(
            number=number)).scalar_one()
        investor = account.ymt_account.investor
        return investor.name, investor.id_type, investor.id_number, account.id


def _hold(app, account_id, day, quantity, kind="buy", zqlb="PT", ltlx="0"):
    with app.app_context():
        security = db.session.execute(db.select(Security).filter_by(code="600888")).scalar_one()
        unit_id = db.session.execute(db.select(HoldingChange.unit_id).filter_by(
            account_id=account_id)).scalars().first()
        db.session.add(HoldingChange(account_id=account_id, security_id=security.id,
                                     unit_id=unit_id, trade_date=day, seq=900, kind=kind,
                                     quantity=quantity, zqlb=zqlb, ltlx=ltlx,
                                     source="test", ref=f"test-{account_id}-{day}-{quantity}"))
        db.session.commit()


def _token(issuer):
    import re
    page = text(issuer.get("/issuer/mailbox"))  # a page with a form at any hour
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _rows(app):
    with app.app_context():
        return db.session.execute(db.select(db.func.count(IssuerInsider.id))).scalar_one()


def test_declared_insiders_and_their_restricted_shares(issuer, app):
    name, _, _, account_id = _person(app, ZHANG_WEI_ACCOUNT)
    _hold(app, account_id, date(2026, 11, 20), 30_000, "non_trade_in", "XL", "F")
    page = text(issuer.get("/issuer/insiders/holdings"))
    assert "数据日期：2026-11-23" in page and name in page and "董事" in page
    # The demo ledger: 12,000 in his account and 3,000 in his credit account (his, as in
    # T3); + 30,000 高管锁定股 (限售) on the 20th.
    assert "45,000" in page and "30,000" in page and "15,000" in page
    # Yesterday's changes: none on the 23rd; a buy on the 23rd shows up.
    assert "董监高无持有变动" in text(issuer.get("/issuer/insiders/yesterday"))
    _hold(app, account_id, date(2026, 11, 23), 1_000)
    yesterday = text(issuer.get("/issuer/insiders/yesterday"))
    assert "+1,000" in yesterday and "43,000" in yesterday and ZHANG_WEI_ACCOUNT in yesterday
    # (the balance is the account's: 12,000 + 30,000 + 1,000)
    history = text(issuer.get("/issuer/insiders/history?start=2026-11-01&end=2026-11-23"))
    assert "+30,000" in history and "+1,000" in history and "高管锁定股" not in history
    assert history.index("+1,000") < history.index("+30,000")  # newest first


def test_declare_and_remove_with_clear_refusals(issuer, app):
    page = "/issuer/insiders"
    before = _rows(app)
    for data, message in [
        ({"name": "", "title": "董事", "id_type": "resident_id", "id_number": "x"}, "请填写姓名"),
        ({"name": "李四", "title": "总裁", "id_type": "resident_id",
          "id_number": "110101199003071234"}, "请选择职务"),
        ({"name": "李四", "title": "监事", "id_type": "resident_id",
          "id_number": "110101199003071235"}, "校验位不正确"),
        ({"name": "李四", "title": "监事", "id_type": "nonsense", "id_number": "1"}, "证件类型"),
        ({"name": "李\x00四", "title": "监事", "id_type": "resident_id",
          "id_number": "11010119900307123X"}, None),
    ]:
        resp = issuer.post(page, data)
        assert resp.status_code in (200, 400), resp.status_code
        if message:
            assert any(message in f for f in flash_of(resp)), (message, flash_of(resp))
    assert _rows(app) == before
    name, id_type, id_number, _ = _person(app, ZHANG_WEI_ACCOUNT)
    again = issuer.post(page, {"name": name, "title": "监事", "id_type": id_type,
                               "id_number": id_number})
    assert any("已申报" in f for f in flash_of(again))
    ok = issuer.post(page, {"name": "李四", "title": "监事", "id_type": "resident_id",
                            "id_number": "11010519491231002X"})
    assert ok.status_code == 302
    listing = text(issuer.get(page))
    assert "李四" in listing and "11010519491231002X" not in listing  # masked
    assert "浦江科技（600888）" in listing  # the header names the issuer and its codes
    holdings = text(issuer.get("/issuer/insiders/holdings"))
    assert "未开户" in holdings  # declared, not on the register
    with app.app_context():
        row = db.session.execute(db.select(IssuerInsider).filter_by(name="李四")).scalar_one()
    assert issuer.post(f"/issuer/insiders/{row.id}/remove", {}, page=page).status_code == 302
    assert "<td>李四</td>" not in text(issuer.get(page))
    with app.app_context():
        assert db.session.get(IssuerInsider, row.id).removed_at is not None  # history kept


def test_another_issuers_declarations_are_out_of_reach(issuer, app):
    with app.app_context():
        mine = db.session.execute(db.select(IssuerInsider)).scalars().first()
        mine_id = mine.id
    other = IssuerBrowser(app, login="yunsai")
    assert other.post(f"/issuer/insiders/{mine_id}/remove", {},
                      page="/issuer/insiders").status_code == 404
    assert mine.name not in text(other.get("/issuer/insiders"))
    assert "不是贵公司的证券" in text(other.get("/issuer/insiders/holdings?code=600888"))
    with app.app_context():
        assert db.session.get(IssuerInsider, mine_id).removed_at is None


def test_history_periods_and_hours(issuer, app):
    for query, message in [("start=2026-11-30&end=2026-11-01", "起始日期不能晚于截止日期"),
                           ("start=2026-11-01&end=2026-12-01", "不能晚于2026-11-23"),
                           ("start=2025-01-01&end=2026-11-23", "最多查询一年"),
                           ("start=junk", "YYYY-MM-DD")]:
        assert message in text(issuer.get(f"/issuer/insiders/history?{query}")), query
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 15, 30)
    for path in ("/issuer/insiders/holdings", "/issuer/insiders/yesterday",
                 "/issuer/insiders/history", "/issuer/insiders"):
        assert "当前不在前端自助查询时间内" in text(issuer.get(path)), path
    before = _rows(app)
    issuer.post("/issuer/insiders", {"name": "王五", "title": "董事", "id_type": "resident_id",
                                     "id_number": "11010519491231002X"})
    assert _rows(app) == before
    with app.app_context():
        declared = db.session.execute(db.select(IssuerInsider)).scalars().first().id
    issuer.client.post(f"/issuer/insiders/{declared}/remove",
                       data={"csrf_token": _token(issuer)})
    with app.app_context():
        assert db.session.get(IssuerInsider, declared).removed_at is None  # outside the hours
