"""The seed's confirmation pages (issue 16): 修改手机号信息确认 and 找回密码信息确认 say what
will change, and nothing changes before 确认 (激活信息确认: tests/accounts/test_activation.py)."""
from tests.accounts.account_helpers import (
    csrf,
    form_post,
    last_code,
    load_captcha,
    login_web,
    send_code,
    signed_up,
    user,
)

PHONE, NEW = "13800000050", "13800000051"


def test_phone_change_waits_for_confirmation(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    token = csrf(client, "/h5/account/phone")
    send_code(client, "/h5/account/sms/change_phone", token, NEW)
    client.post("/h5/account/phone", data={"csrf_token": token, "phone": NEW,
                                           "code": last_code(app, NEW)})
    token = csrf(client, "/h5/verify/phone")
    send_code(client, "/h5/verify/sms/phone", token)
    resp = client.post("/h5/verify/phone", data={"csrf_token": token,
                                                 "code": last_code(app, PHONE)})
    assert resp.headers["Location"].endswith("/h5/verify/confirm")
    resp = client.get("/h5/verify/confirm")
    page = resp.get_data(as_text=True)
    assert "修改手机号信息确认" in page and "138****0050" in page and "138****0051" in page
    assert "新手机号" in page and 'id="confirm-back"' in page
    assert resp.headers["Cache-Control"] == "no-store"
    assert user(app, PHONE) is not None and user(app, NEW) is None  # not yet
    assert client.post("/h5/verify/confirm", data={}).status_code == 400  # no CSRF token
    assert user(app, NEW) is None
    resp = form_post(client, "/h5/verify/confirm", {})
    assert resp.headers["Location"].endswith("/h5/account/phone/done")
    assert user(app, NEW) is not None and user(app, PHONE) is None


def test_confirm_page_without_a_passed_check(app, client, easy_captcha):
    assert client.get("/h5/verify/confirm").status_code == 400
    signed_up(app, client, PHONE)
    token = csrf(client, "/h5/account/phone")
    send_code(client, "/h5/account/sms/change_phone", token, NEW)
    client.post("/h5/account/phone", data={"csrf_token": token, "phone": NEW,
                                           "code": last_code(app, NEW)})
    # step 2 started but not passed: nothing to confirm
    page = client.get("/h5/verify/confirm")
    assert page.status_code == 400 and "已超时或已完成" in page.get_data(as_text=True)
    assert form_post(client, "/h5/verify/confirm", {}, page="/h5/verify/methods"
                     ).status_code == 400
    assert user(app, NEW) is None


def test_recovery_confirmation_then_back_changes_nothing(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    anon = app.test_client()
    token = csrf(anon, "/h5/account/recover")
    load_captcha(anon, "recover")
    anon.post("/h5/account/recover", data={"csrf_token": token, "phone": PHONE,
                                           "captcha": "AAAA"})
    token = csrf(anon, "/h5/verify/phone")
    send_code(anon, "/h5/verify/sms/phone", token)
    resp = anon.post("/h5/verify/phone", data={"csrf_token": token,
                                               "code": last_code(app, PHONE)})
    assert resp.headers["Location"].endswith("/h5/account/recover/password")
    resp = form_post(anon, "/h5/account/recover/password",
                     {"password": "Fresh@2026", "confirm": "Fresh@2026"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "找回密码信息确认" in page and "138****0050" in page
    assert "原密码失效" in page and resp.headers["Cache-Control"] == "no-store"
    # 返回: the old password still works, the new one does not
    assert login_web(app.test_client(), PHONE, "Fresh@2026").status_code == 200
    assert login_web(app.test_client(), PHONE).status_code == 302
    # a tampered confirmation is checked again like the first post
    bad = form_post(anon, "/h5/account/recover/password",
                    {"password": "abc", "confirm": "abc", "step": "confirm"})
    assert bad.status_code == 200 and "8-16位" in bad.get_data(as_text=True)
    resp = form_post(anon, "/h5/account/recover/password",
                     {"password": "Fresh@2026", "confirm": "Fresh@2026", "step": "confirm"})
    assert resp.headers["Location"].endswith("/recover/done")
    assert login_web(app.test_client(), PHONE, "Fresh@2026").status_code == 302
