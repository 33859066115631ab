"""ISS-2: contacts sign in at /issuer/ with a password and a TOTP code, and see only
their own issuer."""
import pytest

from models import IssuerApplication, MailboxItem
from tests import seeding
from tests.accounts.account_helpers import csrf
from tests.issuers.portal_helpers import IssuerBrowser, text, totp_now
from wechat_hall.extensions import db


def _wrong_code(app):
    """A six-digit code that is not the current one (±1 step)."""
    import pyotp
    from models import IssuerContact
    from wechat_hall import clock
    with app.app_context():
        totp = pyotp.TOTP(db.session.execute(db.select(IssuerContact.totp_secret).filter_by(
            login="pujiang")).scalar_one())
        near = {totp.at(clock.timestamp() + d) for d in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


@pytest.fixture
def demo(app):
    return seeding.load(app, "demo")


def test_password_then_totp_opens_the_portal(app, demo):
    browser = IssuerBrowser(app)
    home = browser.get("/issuer/")
    assert home.status_code == 200
    assert "浦江科技" in text(home) and "600888" in text(home)


def test_pages_need_a_signed_in_contact(app, demo, client):
    for path in ("/issuer/", "/issuer/mailbox", "/issuer/applications/new", "/issuer/fees",
                 "/issuer/alerts/phones", "/issuer/alerts/major-holders"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/issuer/login" in resp.headers["Location"], path


def test_the_password_alone_is_not_enough(app, demo, client):
    token = csrf(client, "/issuer/login")
    resp = client.post("/issuer/login", data={"csrf_token": token, "login": "pujiang",
                                              "password": "Issuer@2026"})
    assert resp.headers["Location"].endswith("/issuer/login/otp")
    assert client.get("/issuer/").status_code == 302  # not signed in yet
    token = csrf(client, "/issuer/login/otp")
    wrong = client.post("/issuer/login/otp", data={"csrf_token": token,
                                                   "code": _wrong_code(app)})
    assert wrong.status_code == 200 and "动态口令错误" in text(wrong)
    junk = client.post("/issuer/login/otp", data={"csrf_token": token, "code": "12a456"})
    assert junk.status_code == 200 and "请输入6位动态口令" in text(junk)
    nul = client.post("/issuer/login/otp", data={"csrf_token": token, "code": "12\x0034"})
    assert nul.status_code == 400  # the request guard's answer to a NUL byte
    assert client.get("/issuer/").status_code == 302


def test_a_totp_code_works_once(app, demo):
    IssuerBrowser(app)
    other = app.test_client()
    token = csrf(other, "/issuer/login")
    other.post("/issuer/login", data={"csrf_token": token, "login": "pujiang",
                                      "password": "Issuer@2026"})
    token = csrf(other, "/issuer/login/otp")
    again = other.post("/issuer/login/otp", data={"csrf_token": token,
                                                  "code": totp_now(app, "pujiang")})
    assert again.status_code == 200 and "已使用" in text(again)


def test_wrong_password_says_nothing_about_the_account(app, demo, client):
    token = csrf(client, "/issuer/login")
    for login in ("pujiang", "nobody"):
        resp = client.post("/issuer/login", data={"csrf_token": token, "login": login,
                                                  "password": "wrong"})
        assert resp.status_code == 200 and "用户名或密码错误" in text(resp)


def test_one_issuer_never_sees_anothers_data(app, demo, tmp_path):
    pujiang = IssuerBrowser(app)
    assert pujiang.apply().status_code == 302
    with app.app_context():
        application = db.session.execute(db.select(IssuerApplication)).scalar_one()
        item = MailboxItem(issuer_id=application.issuer_id, security_id=application.security_id,
                           kind="T1", file_name="t1x.c24", stored_name="x-t1x.c24",
                           record_date=application.record_date,
                           expires_on=application.record_date)
        db.session.add(item)
        db.session.commit()
        ids = application.id, item.id
    yunsai = IssuerBrowser(app, "yunsai")
    assert yunsai.get(f"/issuer/applications/{ids[0]}").status_code == 404
    assert yunsai.get(f"/issuer/mailbox/{ids[1]}").status_code == 404
    assert "600888" not in text(yunsai.get("/issuer/applications"))
    # Nor can it apply for another issuer's code.
    refused = yunsai.apply(code="600888")
    assert refused.status_code == 422
    assert pujiang.get(f"/issuer/applications/{ids[0]}").status_code == 200


def test_logout_ends_the_session(app, demo):
    browser = IssuerBrowser(app)
    resp = browser.post("/issuer/logout", {}, page="/issuer/")
    assert resp.status_code == 302
    assert browser.get("/issuer/").status_code == 302


def test_wrong_codes_lock_the_account(app, demo, client):
    token = csrf(client, "/issuer/login")
    client.post("/issuer/login", data={"csrf_token": token, "login": "pujiang",
                                       "password": "Issuer@2026"})
    token = csrf(client, "/issuer/login/otp")
    for _ in range(app.config["STAFF_MAX_FAILED_LOGINS"]):
        last = client.post("/issuer/login/otp", data={"csrf_token": token,
                                                      "code": _wrong_code(app)})
    assert "已锁定" in text(last)
    right = client.post("/issuer/login/otp", data={"csrf_token": token,
                                                   "code": totp_now(app, "pujiang")})
    assert "已锁定" in text(right) and client.get("/issuer/").status_code == 302


def test_sign_in_attempts_are_throttled_per_address(app, client):
    app.config.update(STAFF_LOGIN_RATE_LIMIT_ADDRESS="3 per minute")
    token = csrf(client, "/issuer/login")
    codes = [client.post("/issuer/login", data={"csrf_token": token, "login": "nobody",
                                                "password": "Wrong@123x"}).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]
