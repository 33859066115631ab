"""ACC-5 phone change (3 a month), ACC-6 deregistration, ACC-7 password recovery."""
from datetime import timedelta

import pytest

from models import HallUser, IdentityVerification, PhoneChange
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db

from tests.seeding import forget_counters
from tests.accounts.account_helpers import (confirmed, csrf, form_post, last_code, load_captcha,
                                            login_web, recover_password, send_code, signed_up,
                                            user)


PHONE = "13800000030"
WANG = {"holder_type": "individual", "id_type": "resident_id", "id_number": "211103198603040003"}


def flush_throttle(app):
    forget_counters(app)


def activate_wang(app, client):
    form_post(client, "/h5/ymt/activate", WANG)
    token = csrf(client, "/h5/verify/phone")
    send_code(client, "/h5/verify/sms/phone", token)
    resp = confirmed(client, client.post("/h5/verify/phone", data={
        "csrf_token": token, "code": last_code(app, "18900000024")}), "激活信息确认")
    assert resp.status_code == 302
    flush_throttle(app)


def new_phone_step(app, client, phone):
    token = csrf(client, "/h5/account/phone")
    resp = send_code(client, "/h5/account/sms/change_phone", token, phone)
    if resp.status_code != 200:
        return resp
    return client.post("/h5/account/phone", data={"csrf_token": token, "phone": phone,
                                                  "code": last_code(app, phone)})


def own_phone_check(app, client, phone):
    token = csrf(client, "/h5/verify/phone")
    send_code(client, "/h5/verify/sms/phone", token)
    return confirmed(client, client.post("/h5/verify/phone", data={
        "csrf_token": token, "code": last_code(app, phone)}))


def test_change_phone_without_ymt_checks_the_old_phone(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    resp = new_phone_step(app, client, "13800000031")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/verify/methods")
    page = client.get("/h5/verify/methods").get_data(as_text=True)
    assert "通过手机号认证" in page and "银联" not in page
    assert "138****0030" in client.get("/h5/verify/phone").get_data(as_text=True)
    resp = own_phone_check(app, client, PHONE)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/account/phone/done")
    assert "138****0031" in client.get("/h5/account/phone/done").get_data(as_text=True)
    assert user(app, "13800000031") is not None and user(app, PHONE) is None
    assert login_web(app.test_client(), "13800000031").status_code == 302


def test_change_phone_of_an_activated_user_uses_the_ymt_methods(app, client, registry,
                                                                  easy_captcha):
    signed_up(app, client, PHONE)
    activate_wang(app, client)
    new_phone_step(app, client, "13800000031")
    page = client.get("/h5/verify/methods").get_data(as_text=True)
    assert "通过银联身份认证" in page and "18****0024" in page
    resp = own_phone_check(app, client, "18900000024")  # the reserved phone
    assert resp.status_code == 302
    assert user(app, "13800000031").is_activated


def test_at_most_three_phone_changes_within_a_month(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    with app.app_context():
        me = db.session.execute(db.select(HallUser)).scalar_one()
        for days in (40, 20, 10, 1):
            me.phone_changes.append(PhoneChange(old_phone_masked="x", new_phone_masked="y",
                                                changed_at=utcnow() - timedelta(days=days)))
        db.session.commit()
    page = client.get("/h5/account/phone").get_data(as_text=True)
    # said plainly before any SMS: no 获取验证码 button, no form (issue 16)
    assert "一个月内最多变更三次" in page and 'id="phone-limit"' in page
    assert "获取验证码" not in page and "hall-sms-btn" not in page
    token = csrf(client, "/h5/account/phone")
    resp = send_code(client, "/h5/account/sms/change_phone", token, "13800000031")
    assert resp.status_code == 400 and "变更次数已用完" in resp.get_json()["message"]


def test_the_third_change_is_the_last(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    phones = ["13800000031", "13800000032", "13800000033"]
    current = PHONE
    for phone in phones:
        new_phone_step(app, client, phone)
        assert own_phone_check(app, client, current).status_code == 302
        current = phone
        flush_throttle(app)
    resp = new_phone_step(app, client, "13800000034")
    assert resp.status_code == 400 and "变更次数已用完" in resp.get_json()["message"]


def test_change_phone_refusals(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    signed_up(app, app.test_client(), "13800000039")
    token = csrf(client, "/h5/account/phone")
    for phone, message in ((PHONE, "不能与当前手机号相同"), ("13800000039", "已注册"),
                           ("1380000", "11位")):
        resp = send_code(client, "/h5/account/sms/change_phone", token, phone)
        assert resp.status_code == 400 and message in resp.get_json()["message"]


def test_deregistration_removes_the_account_and_unbinds(app, client, registry, easy_captcha):
    signed_up(app, client, PHONE)
    activate_wang(app, client)
    with app.app_context():
        me = db.session.execute(db.select(HallUser)).scalar_one()
        me.openid = "o_leaving"
        db.session.commit()
    page = client.get("/h5/account/deregister").get_data(as_text=True)
    assert "提交注销申请" in page
    resp = form_post(client, "/h5/account/deregister", {})
    assert resp.headers["Location"].endswith("/h5/verify/methods")
    page = client.get("/h5/verify/methods").get_data(as_text=True)
    assert "通过临柜身份认证" not in page  # the seed offers three methods here
    resp = own_phone_check(app, client, "18900000024")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/deregister/done")
    assert "已注销" in client.get("/h5/account/deregister/done").get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(HallUser)).first() is None
        assert db.session.execute(db.select(IdentityVerification)).first() is None
    assert client.get("/h5/profile").status_code == 302
    # The 一码通 is free again, and the phone may register anew.
    signed_up(app, app.test_client(), PHONE)


def _recover_start(client, phone):
    token = csrf(client, "/h5/account/recover")
    load_captcha(client, "recover")
    return client.post("/h5/account/recover", data={"csrf_token": token, "phone": phone,
                                                    "captcha": "AAAA"})


def test_recovery_of_an_account_without_ymt(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    anon = app.test_client()
    resp = _recover_start(anon, PHONE)
    assert resp.headers["Location"].endswith("/h5/verify/methods")
    assert "138****0030" in anon.get("/h5/verify/phone").get_data(as_text=True)
    assert anon.get("/h5/account/recover/password").status_code == 302  # not yet
    resp = own_phone_check(app, anon, PHONE)
    assert resp.headers["Location"].endswith("/h5/account/recover/password")
    page = form_post(anon, "/h5/account/recover/password", {"password": "abc", "confirm": "abc"})
    assert "8-16位" in page.get_data(as_text=True)
    resp = recover_password(anon, "Fresh@2026")
    assert resp.headers["Location"].endswith("/recover/done")
    assert client.get("/h5/profile").status_code == 302  # old sessions end
    assert login_web(app.test_client(), PHONE, "Fresh@2026").status_code == 302
    assert anon.get("/h5/account/recover/password").status_code == 302  # used up


def test_recovery_of_an_activated_account_asks_for_the_id(app, client, registry, easy_captcha):
    signed_up(app, client, PHONE)
    activate_wang(app, client)
    anon = app.test_client()
    resp = _recover_start(anon, PHONE)
    assert resp.headers["Location"].endswith("/h5/account/recover/identity")

    def identity(ident, captcha="AAAA"):
        token = csrf(anon, "/h5/account/recover/identity")
        load_captcha(anon, "recover_identity")
        return anon.post("/h5/account/recover/identity",
                         data={"csrf_token": token, "captcha": captcha, **ident})

    assert "图形验证码错误" in identity(WANG, captcha="ZZZZ").get_data(as_text=True)
    other = {**WANG, "id_number": "32010219900503153X"}  # 李明: another registered holder
    assert "不一致" in identity(other).get_data(as_text=True)
    resp = identity(WANG)
    assert resp.headers["Location"].endswith("/h5/verify/methods")
    page = anon.get("/h5/verify/methods").get_data(as_text=True)
    assert "通过交易报盘身份认证" in page and "通过临柜身份认证" in page
    resp = own_phone_check(app, anon, "18900000024")
    assert resp.headers["Location"].endswith("/h5/account/recover/password")
    recover_password(anon, "Fresh@2026")
    assert login_web(app.test_client(), PHONE, "Fresh@2026").status_code == 302


def test_recovery_lifts_a_lock(app, client, easy_captcha):
    app.config.update(HALL_MAX_FAILED_LOGINS=2)
    signed_up(app, client, PHONE)
    for _ in range(2):
        login_web(app.test_client(), PHONE, "Wrong@2026")
    assert "账户已锁定" in login_web(app.test_client(), PHONE).get_data(as_text=True)
    anon = app.test_client()
    _recover_start(anon, PHONE)
    own_phone_check(app, anon, PHONE)
    recover_password(anon, "Fresh@2026")
    assert login_web(app.test_client(), PHONE, "Fresh@2026").status_code == 302


def test_recovery_of_an_unknown_phone(app, client, easy_captcha):
    page = _recover_start(app.test_client(), "13999999999").get_data(as_text=True)
    assert "该手机号未注册在线用户" in page


@pytest.mark.parametrize("path", ["/h5/verify/methods", "/h5/verify/phone",
                                  "/h5/verify/bankcard", "/h5/verify/trade",
                                  "/h5/verify/counter"])
def test_verify_pages_without_a_flow_say_it_expired(client, path):
    resp = client.get(path)
    assert resp.status_code == 400 and "已超时" in resp.get_data(as_text=True)
