"""ISS-6: the fee account — annual fees, payments and deductions by the desk, the
费用变动 page (a self-service query: 9:30–15:00), applications refused below zero."""
import pytest

from models import FeeEntry
from tests import seeding
from tests.accounts.account_helpers import Staff
from tests.issuers.portal_helpers import IssuerBrowser, text
from wechat_hall import clock
from wechat_hall.extensions import db


@pytest.fixture
def demo(app):
    return seeding.load(app, "demo")


def test_fee_page_in_the_self_service_hours(app, demo):
    issuer = IssuerBrowser(app)
    closed = text(issuer.get("/issuer/fees"))  # 16:00: after 15:00
    assert "当前不在前端自助查询时间内" in closed and "年度查询服务费" not in closed
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 10, 0)
    page = text(issuer.get("/issuer/fees"))
    assert "2,000.00 元" in page  # 6,000 fee, 8,000 paid
    assert "2026年度A股查询服务费" in page and "-6,000.00" in page


def test_the_desk_records_a_payment_and_the_issuer_may_apply_again(app, demo):
    desk = Staff(app, "desk1", "issuer_desk")
    yunsai = IssuerBrowser(app, "yunsai")
    refused = yunsai.apply(code="900901", kinds=["B"])
    assert "查询费余额不足（当前余额 -6,000.00 元）" in text(refused)
    with app.app_context():
        from models import Issuer
        issuer_id = db.session.execute(db.select(Issuer.id).filter_by(name="云赛智联")).scalar_one()
    for amount, message in (("abc", "金额应为数字"), ("-5", "金额应大于0"), ("0.001", "最多两位小数"),
                            ("99999999", "不能超过"), ("NaN", "金额应大于0")):
        resp = desk.post("/staff/issuers/fees", {"issuer_id": issuer_id, "kind": "payment",
                                                 "amount": amount, "note": ""},
                         page="/staff/issuers/fees")
        assert message in text(resp), amount
    with app.app_context():
        before = db.session.query(FeeEntry).count()
    ok = desk.post("/staff/issuers/fees", {"issuer_id": issuer_id, "kind": "payment",
                                           "amount": "6,000.00", "note": "900901查询费"},
                   page="/staff/issuers/fees")
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.query(FeeEntry).count() == before + 1
    assert "0.00" in text(desk.get("/staff/issuers/fees"))
    resp = yunsai.apply(code="900901", kinds=["B"], record_date="2026-11-23")
    assert resp.status_code == 302, text(resp)[:400]


def test_only_the_desk_reaches_the_desk_pages(app, demo):
    agent = Staff(app, "agent1", "agent")
    for path in ("/staff/issuers/", "/staff/issuers/fees", "/staff/issuers/audit"):
        assert agent.get(path).status_code == 403
    issuer = IssuerBrowser(app)
    assert issuer.get("/staff/issuers/").status_code == 302  # to the staff login
