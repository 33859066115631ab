"""ACC-1 registration and ACC-2 login, in both channels, over HTTP."""
import re

from models import AgreementAcceptance, HallUser
from wechat_hall.extensions import db

from tests.accounts.account_helpers import (PASSWORD, as_wechat, csrf, form_post, last_code,
                                            load_captcha, login_web, register_web, send_code, user)


PHONE = "13800000001"


def test_web_registration_on_one_page_then_direct_login(app, client, easy_captcha):
    resp = register_web(app, client, PHONE, nickname="小王_01")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/account/register/done")
    done = client.get("/h5/account/register/done").get_data(as_text=True)
    assert "注册成功" in done and "138****0001" in done and "直接登录" in done
    token = csrf(client, "/h5/account/register/done")
    resp = client.post("/h5/account/register/login", data={"csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/")
    home = client.get("/h5/").get_data(as_text=True)
    assert "小王_01" in home and "未激活一码通" in home
    created = user(app, PHONE)
    assert created.nickname == "小王_01" and created.password_hash != PASSWORD
    assert created.openid is None
    with app.app_context():
        agreements = db.session.execute(db.select(AgreementAcceptance).filter_by(
            user_id=created.id)).scalars().all()
        assert {(a.code, a.version) for a in agreements} == {
            ("register_notice", "2021.12"), ("service_agreement", "2021.12")}
        assert all(a.accepted_at and a.ip for a in agreements)


def test_wechat_registration_takes_two_steps_and_binds_the_wechat_user(app, client):
    as_wechat(client, "o_reg_1")
    page = client.get("/h5/account/register").get_data(as_text=True)
    assert "下一步" in page and "登录密码" not in page and "captcha" not in page
    token = csrf(client, "/h5/account/register")
    send_code(client, "/h5/account/sms/register", token, PHONE)
    resp = client.post("/h5/account/register", data={
        "csrf_token": token, "phone": PHONE, "code": last_code(app, PHONE), "agree": "y"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/register/password")
    assert user(app, PHONE) is None  # nothing written before the password step
    resp = form_post(client, "/h5/account/register/password",
                     {"password": "abc12345", "confirm": "abc12345"})
    assert resp.status_code == 302
    done = client.get("/h5/account/register/done").get_data(as_text=True)
    assert "立即登录" in done and "已与当前微信绑定" in done
    assert user(app, PHONE).openid == "o_reg_1"
    # Bound: the hall knows the user from the openid alone, in a new session.
    other = app.test_client()
    as_wechat(other, "o_reg_1")
    assert "138****0001" in other.get("/h5/profile").get_data(as_text=True)


def test_registration_refusals_each_say_why_and_write_nothing(app, client, easy_captcha):
    def attempt(**overrides):
        token = csrf(client, "/h5/account/register")
        load_captcha(client, "register")
        data = {"csrf_token": token, "phone": PHONE, "nickname": "", "password": PASSWORD,
                "confirm": PASSWORD, "code": "123456", "captcha": "AAAA", "agree": "y"}
        data.update(overrides)
        return client.post("/h5/account/register", data=data).get_data(as_text=True)

    assert "请输入正确的11位中国大陆手机号码" in attempt(phone="12345")
    assert "密码长度须为8-16位" in attempt(password="a1", confirm="a1")
    assert "至少两种" in attempt(password="abcdefgh", confirm="abcdefgh")
    assert "两次输入的密码不一致" in attempt(confirm="Other@2026")
    assert "昵称格式不正确" in attempt(nickname="12345678")
    assert "请阅读并勾选同意" in attempt(agree="")
    assert "验证码已失效" in attempt()  # no code was ever sent
    token = csrf(client, "/h5/account/register")
    send_code(client, "/h5/account/sms/register", token, PHONE)
    assert "验证码错误" in attempt(code="000000" if last_code(app, PHONE) != "000000" else "111111")
    assert "图形验证码错误" in attempt(captcha="ZZZZ", code=last_code(app, PHONE))
    with app.app_context():
        assert db.session.execute(db.select(HallUser)).first() is None


def test_a_registered_phone_cannot_register_again(app, client, easy_captcha):
    register_web(app, client, PHONE)
    other = app.test_client()
    token = csrf(other, "/h5/account/register")
    resp = send_code(other, "/h5/account/sms/register", token, PHONE)
    assert resp.status_code == 400 and "该手机号已注册" in resp.get_json()["message"]


def test_login_with_phone_and_password_renews_the_session(app, client, easy_captcha):
    register_web(app, client, PHONE)
    fresh = app.test_client()
    with fresh.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    resp = login_web(fresh, PHONE)
    assert resp.status_code == 302
    with fresh.session_transaction() as sess:
        assert "planted" not in sess and sess["hall_user_id"]
    assert "138****0001" in fresh.get("/h5/profile").get_data(as_text=True)


def test_login_needs_the_captcha_on_the_web_but_not_in_wechat(app, client, easy_captcha):
    register_web(app, client, PHONE)
    fresh = app.test_client()
    token = csrf(fresh, "/h5/account/login")
    load_captcha(fresh, "login")
    resp = fresh.post("/h5/account/login", data={"csrf_token": token, "phone": PHONE,
                                                 "password": PASSWORD, "captcha": "ZZZZ"})
    assert "图形验证码错误" in resp.get_data(as_text=True)
    wx = app.test_client()
    as_wechat(wx, "o_login")
    resp = form_post(wx, "/h5/account/login", {"phone": PHONE, "password": PASSWORD})
    assert resp.status_code == 302


def test_repeated_wrong_passwords_lock_the_account_and_say_so(app, client, easy_captcha):
    app.config.update(HALL_MAX_FAILED_LOGINS=3, HALL_LOCK_MINUTES=15)
    register_web(app, client, PHONE)
    fresh = app.test_client()
    texts = [login_web(fresh, PHONE, "Wrong@123").get_data(as_text=True) for _ in range(3)]
    # No count of tries left before the lock (it would tell the phone is registered).
    assert [flash(t) for t in texts[:2]] == ["手机号或密码错误", "手机号或密码错误"]
    assert "账户已锁定，请15分钟后再试" in texts[2]
    # Locked: even the right password is refused until the lock ends.
    assert "账户已锁定" in login_web(fresh, PHONE).get_data(as_text=True)


def flash(html):
    return re.search(r'hall-flash-error" role="alert">([^<]+)<', html).group(1)


def test_unknown_phone_and_wrong_password_get_the_same_answer(app, client, easy_captcha):
    register_web(app, client, PHONE)
    unknown = login_web(app.test_client(), "13900000009", "Wrong@123").get_data(as_text=True)
    assert flash(unknown) == "手机号或密码错误"


def test_logout_is_a_post_with_csrf(app, client, easy_captcha):
    register_web(app, client, PHONE)
    login_web(client, PHONE)
    assert client.post("/h5/account/logout").status_code == 400  # no token
    assert client.get("/h5/account/logout").status_code == 405
    form_post(client, "/h5/account/logout", {}, page="/h5/profile")
    assert client.get("/h5/profile").status_code == 302


def test_next_after_login_stays_on_this_site(app, client, easy_captcha):
    register_web(app, client, PHONE)
    token = csrf(client, "/h5/account/login?next=https://evil.example/")
    load_captcha(client, "login")
    resp = client.post("/h5/account/login", data={
        "csrf_token": token, "phone": PHONE, "password": PASSWORD, "captcha": "AAAA",
        "next": "https://evil.example/"})
    assert resp.headers["Location"] == "/h5/"
    # The staff login's rule, one rule: a backslash or a control character is refused too.
    for target, lands in [("/h5/votes?x=1", "/h5/votes?x=1"), ("//evil.example/", "/h5/"),
                          ("/\\evil.example", "/h5/"), ("/\tevil", "/h5/"),
                          ("javascript:alert(1)", "/h5/")]:
        fresh = app.test_client()
        token = csrf(fresh, "/h5/account/login")
        load_captcha(fresh, "login")
        resp = fresh.post("/h5/account/login", data={
            "csrf_token": token, "phone": PHONE, "password": PASSWORD, "captcha": "AAAA",
            "next": target})
        assert resp.headers["Location"] == lands, target


def test_sms_button_throttle_and_daily_cap_over_http(app, client):
    app.config.update(SMS_DAILY_PER_PHONE=2, SMS_RESEND_SECONDS=60)
    token = csrf(client, "/h5/account/register")
    first = send_code(client, "/h5/account/sms/register", token, PHONE)
    assert first.status_code == 200 and first.get_json()["resend_after"] == 60
    again = send_code(client, "/h5/account/sms/register", token, PHONE)
    assert again.status_code == 400 and "秒后再试" in again.get_json()["message"]
    assert again.get_json()["retry_after"] <= 60
    for key in app.extensions["redis"].scan_iter("sms:resend:*"):  # a minute later
        app.extensions["redis"].delete(key)
    assert send_code(client, "/h5/account/sms/register", token, PHONE).status_code == 200
    for key in app.extensions["redis"].scan_iter("sms:resend:*"):
        app.extensions["redis"].delete(key)
    capped = send_code(client, "/h5/account/sms/register", token, PHONE)
    assert capped.status_code == 400 and "今日获取验证码次数已达上限" in capped.get_json()["message"]


def test_the_per_ip_cap_counts_the_client_behind_a_trusted_proxy(make_app):
    app = make_app(TRUSTED_PROXIES=1, SMS_DAILY_PER_IP=1, SMS_RESEND_SECONDS=0)
    client = app.test_client()
    token = csrf(client, "/h5/account/register")
    for n, ip in enumerate(("10.1.1.1", "10.1.1.2")):
        resp = client.post("/h5/account/sms/register", data={"phone": f"1380000010{n}"},
                           headers={"X-CSRFToken": token, "X-Forwarded-For": ip})
        assert resp.status_code == 200, resp.get_json()
    resp = client.post("/h5/account/sms/register", data={"phone": "13800000109"},
                       headers={"X-CSRFToken": token, "X-Forwarded-For": "10.1.1.1"})
    assert resp.status_code == 400 and "图形验证码" in resp.get_json()["message"]
    assert resp.get_json()["captcha"]  # the address's brake asks for the captcha
