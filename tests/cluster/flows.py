"""What the cluster tests do through the servers, as a person would: sign in through the
WeChat door, fill in a booking, ask for certificates; and reading the shared database."""
import re

from tests.accounts.account_helpers import PASSWORD
from tests.cluster.client import Browser, csrf_of
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.queries import trading_days


def read_db(app, fn):
    with app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def count_rows(app, stmt):
    return read_db(app, lambda: db.session.execute(stmt).scalar_one())


def signed_in(cluster, phone, openid, start=0):
    """Through the /h5/wx door as ``openid``, then phone + password (no captcha inside
    WeChat), alternating servers."""
    browser = Browser(cluster.servers, start)
    page = browser.enter_wechat(openid, "account/login")
    assert page.status_code == 200 and "登录" in page.text, page.text[:300]
    resp = browser.post("/h5/account/login", {"csrf_token": csrf_of(page.text), "phone": phone,
                                              "password": PASSWORD, "next": "/h5/profile"})
    assert resp.status_code == 200, resp.text[:300]
    assert f"{phone[:3]}****{phone[-4:]}" in resp.text  # the profile page, signed in
    return browser


def open_day_and_form(browser):
    page = browser.get("/h5/appointments/apply?office=SH")
    assert page.status_code == 200, page.text[:300]
    days = re.findall(r'<option value="(\d{4}-\d\d-\d\d)"(?! disabled)[^>]*>', page.text)
    assert days, "no open day in the booking window"
    return days[0], csrf_of(page.text)


def business_type(cluster):
    from models import BusinessType, Office
    return read_db(cluster.app, lambda: db.session.execute(
        db.select(BusinessType.id).join(Office, Office.id == BusinessType.office_id)
        .filter(Office.code == "SH", BusinessType.active.is_(True))
        .order_by(BusinessType.id)).scalars().first())


def apply(browser, cluster, template_id, id_number, name="张三"):
    """申请预约 → 预约信息确认: the form, then the preview's one-time token."""
    day, token = open_day_and_form(browser)
    resp = browser.post("/h5/appointments/apply?office=SH", {
        "csrf_token": token, "agent_type": "domestic", "agent_name": name,
        "agent_company": "测试公司", "id_number": id_number,
        "business_type_id": str(business_type(cluster)), "items": "1", "day": day,
        "template_id": str(template_id), "agree": "y"})
    assert resp.status_code == 200 and 'name="token"' in resp.text, resp.text[:500]
    return csrf_of(resp.text), re.search(r'name="token" value="([^"]+)"', resp.text).group(1)


def certificate_asker(cluster, ymt_number, phone, n):
    browser = signed_in(cluster, phone, f"o_cluster_cert_{n:014d}", start=n)
    id_number = read_db(cluster.app, lambda: db.session.execute(db.text(
        "SELECT i.id_number FROM ymt_account y JOIN investor i ON i.id = y.investor_id "
        "WHERE y.number = :n"), {"n": ymt_number}).scalar_one())
    day = trading_days.previous_trading_day(clock.today(), inclusive=False)

    def ask():
        token = browser.csrf("/h5/certificates/new")
        resp = browser.post("/h5/certificates/new", {
            "csrf_token": token, "kind": "holdings", "date": str(day), "start": "", "end": "",
            "account": "", "market": "", "email": f"cluster{n}@example.com",
            "id_number": id_number}, follow=False)
        assert resp.status_code == 302, resp.text[:500]
    return ask
