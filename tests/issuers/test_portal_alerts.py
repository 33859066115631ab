"""ISS-3 for the issuer: 手机号码维护 with a code, 手机短信订阅, the two 5 % pages, and the
next morning's SMS on the simulated clock."""
import pytest

from models import AlertPhone, AlertSubscription, DevMessage
from tests import seeding
from tests.accounts.account_helpers import last_code
from tests.issuers.portal_helpers import IssuerBrowser, flash_of, text
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.issuers import alerts

PHONE = "13912345678"


@pytest.fixture
def demo(app):
    return seeding.load(app, "demo")


def _add_phone(issuer, app, phone=PHONE):
    sent = issuer.post("/issuer/alerts/phones", {"action": "send_code", "phone": phone,
                                                 "name": "陈静", "title": "证券事务代表"})
    assert "验证码已发送" in text(issuer.get("/issuer/alerts/phones")) or sent.status_code == 200
    return issuer.post("/issuer/alerts/phones", {
        "action": "add", "phone": phone, "name": "陈静", "title": "证券事务代表",
        "code": last_code(app, phone)})


def test_phone_needs_its_code_then_subscribe(app, demo):
    issuer = IssuerBrowser(app)
    no_code = issuer.post("/issuer/alerts/phones", {"action": "add", "phone": PHONE,
                                                    "name": "陈静", "title": "证代", "code": ""})
    assert no_code.status_code == 200 and flash_of(no_code)
    with app.app_context():
        assert db.session.query(AlertPhone).count() == 0
    assert _add_phone(issuer, app).status_code == 302
    page = text(issuer.get("/issuer/alerts/phones"))
    assert "139****5678" in page and PHONE not in page
    with app.app_context():
        phone_id = db.session.execute(db.select(AlertPhone.id)).scalar_one()
    wrong = issuer.post("/issuer/alerts/subscriptions", {
        "phone_id": phone_id, "message_type": "major_holders", "keyword": "600000"})
    assert "应为贵公司的证券代码" in text(wrong)
    ok = issuer.post("/issuer/alerts/subscriptions", {
        "phone_id": phone_id, "message_type": "major_holders", "keyword": "600888"})
    assert ok.status_code == 302
    again = issuer.post("/issuer/alerts/subscriptions", {
        "phone_id": phone_id, "message_type": "major_holders", "keyword": "600888"})
    assert "已订阅" in text(again)
    assert "持股5%以上股东每日持股变化情况" in text(issuer.get("/issuer/alerts/subscriptions"))
    # Another issuer cannot use that phone, nor remove it.
    yunsai = IssuerBrowser(app, "yunsai")
    other = yunsai.post("/issuer/alerts/subscriptions", {
        "phone_id": phone_id, "message_type": "major_holders", "keyword": "900901"},
        page="/issuer/alerts/subscriptions")
    assert other.status_code == 404
    assert yunsai.post(f"/issuer/alerts/phones/{phone_id}/delete", {},
                       page="/issuer/alerts/phones").status_code == 404
    with app.app_context():
        assert db.session.query(AlertSubscription).count() == 1


def test_the_two_pages_show_the_demo_changes(app, demo):
    issuer = IssuerBrowser(app)
    names = text(issuer.get("/issuer/alerts/major-holders?code=600888&day=2026-11-23"))
    assert "浦江集团" in names and "有变化" in names
    changes = text(issuer.get("/issuer/alerts/major-holders/changes?code=600888&day=2026-11-23"))
    assert "持股数量变化" in changes or "新增持股5%以上" in changes
    other = text(issuer.get("/issuer/alerts/major-holders?code=900901"))
    assert "不是贵公司的证券" in other
    bad = issuer.get("/issuer/alerts/major-holders?day=2026-13-45")
    assert bad.status_code == 200 and "YYYY-MM-DD" in text(bad)


def _sms(app, phone=PHONE):
    with app.app_context():
        return [m.body for m in db.session.execute(
            db.select(DevMessage).filter_by(recipient=phone)).scalars()
            if "股东股份发生变化" in m.body]


def test_the_next_morning_sms(app, demo):
    issuer = IssuerBrowser(app)
    _add_phone(issuer, app)
    with app.app_context():
        phone_id = db.session.execute(db.select(AlertPhone.id)).scalar_one()
    issuer.post("/issuer/alerts/subscriptions", {"phone_id": phone_id,
                                                  "message_type": "major_holders",
                                                  "keyword": "600888"})
    # Tuesday 2026-11-24: the changes of Monday 11-23 go out from 08:30.
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 8, 0)
    with app.app_context():
        assert alerts.send_due() == 0
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 8, 40)
    with app.app_context():
        assert alerts.send_due() == 1
        assert alerts.send_due() == 0  # once per subscription and day
    assert _sms(app) == [alerts.TEXT]
    assert "贵公司持股5%以上股东股份发生变化，请登录" in alerts.TEXT


def test_no_sms_when_nothing_changed(app, demo):
    from models import MajorHolderRun
    issuer = IssuerBrowser(app)
    _add_phone(issuer, app)
    with app.app_context():
        phone_id = db.session.execute(db.select(AlertPhone.id)).scalar_one()
        for run in db.session.execute(db.select(MajorHolderRun)).scalars():
            run.changes = 0
        db.session.commit()
    issuer.post("/issuer/alerts/subscriptions", {"phone_id": phone_id,
                                                  "message_type": "major_holders",
                                                  "keyword": "600888"})
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 9, 0)
    with app.app_context():
        assert alerts.send_due() == 0
    assert _sms(app) == []


def test_a_failed_sms_is_tried_again(app, demo, monkeypatch):
    from wechat_hall import adapters
    issuer = IssuerBrowser(app)
    _add_phone(issuer, app)
    with app.app_context():
        phone_id = db.session.execute(db.select(AlertPhone.id)).scalar_one()
    issuer.post("/issuer/alerts/subscriptions", {"phone_id": phone_id,
                                                  "message_type": "major_holders",
                                                  "keyword": "600888"})
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 9, 0)

    class Down:
        def send(self, phone, text):
            raise OSError("gateway down")
    real = adapters.sms
    monkeypatch.setattr(adapters, "sms", lambda: Down())
    with app.app_context():
        assert alerts.send_due() == 0
    monkeypatch.setattr(adapters, "sms", real)
    with app.app_context():
        assert alerts.send_due() == 1
    assert _sms(app) == [alerts.TEXT]
