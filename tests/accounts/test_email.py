"""PUB-2 电子邮箱 (set with a mailed code, change, delete) and ACC-7 找回密码 by e-mail."""
import re

from tests.accounts.account_helpers import (
    csrf,
    form_post,
    last_code,
    load_captcha,
    login_web,
    recover_password,
    send_code,
    signed_up,
    sms_count,
    user,
)
from tests.accounts.test_phone_deregister_recover import (
    WANG,
    activate_wang,
    own_phone_check,
)
from tests.seeding import forget_counters

PHONE, OTHER = "13800000041", "13800000042"
MAIL = "zhang.an@example.com"


def set_email(app, client, address, code=None):
    """Ask for the code on 设置电子邮箱 and enter it — or, given ``code``, only enter that."""
    token = csrf(client, "/h5/profile/email")
    if code is None:
        sent = send_code(client, "/h5/profile/email/code", token, address)
        assert sent.status_code == 200, sent.get_json()
        code = last_code(app, address.strip().lower())
    return client.post("/h5/profile/email", data={"csrf_token": token, "email": address,
                                                  "code": code})


def text(resp):
    return resp.get_data(as_text=True)


def alert(resp):
    found = re.findall(r'role="alert">([^<]+)<', text(resp))
    return found


def test_set_an_email_with_its_code_shows_it_masked(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    assert "未设置（设置）" in text(client.get("/h5/profile"))
    resp = set_email(app, client, " Zhang.An@Example.com ")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/profile")
    assert user(app, PHONE).email == MAIL
    page = text(client.get("/h5/profile"))
    assert "z***n@example.com（修改）" in page and MAIL not in page


def test_the_address_is_not_saved_before_the_right_code(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    token = csrf(client, "/h5/profile/email")
    assert send_code(client, "/h5/profile/email/code", token, MAIL).get_json()["ok"]
    assert user(app, PHONE).email is None  # sending saves nothing
    resp = set_email(app, client, MAIL, code="000000" if last_code(app, MAIL) != "000000"
                     else "111111")
    assert resp.status_code == 200 and "验证码错误，还可输入4次" in text(resp)
    assert user(app, PHONE).email is None
    resp = set_email(app, client, "other@example.com", code="123456")  # no code sent to it
    assert "验证码已失效，请重新获取" in text(resp)
    assert "请输入6位数字验证码" in text(set_email(app, client, MAIL, code="12ab"))
    assert user(app, PHONE).email is None


def test_malformed_addresses_are_told_clearly(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    token = csrf(client, "/h5/profile/email")
    for bad in ("zhang", "zhang@", "@example.com", "a b@example.com", "zhang@example",
                "x" * 250 + "@example.com", "张@例子.中国"):
        resp = send_code(client, "/h5/profile/email/code", token, bad)
        assert resp.status_code == 400
        assert "请输入正确的电子邮箱地址" in resp.get_json()["message"]
    # A NUL is turned away before any view (request_guard): a 400, never a 500.
    assert send_code(client, "/h5/profile/email/code", token,
                     "zh\x00ang@example.com").status_code == 400
    resp = client.post("/h5/profile/email", data={"csrf_token": token, "email": "zhang@",
                                                  "code": "123456"})
    assert resp.status_code == 200 and "请输入正确的电子邮箱地址" in text(resp)
    assert sms_count(app, "zhang@") == 0


def test_an_address_held_by_another_account_is_refused(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    assert set_email(app, client, MAIL).status_code == 302
    forget_counters(app)
    other = app.test_client()
    signed_up(app, other, OTHER)
    token = csrf(other, "/h5/profile/email")
    resp = send_code(other, "/h5/profile/email/code", token, MAIL.upper())
    assert resp.status_code == 400 and "已被其他账户使用" in resp.get_json()["message"]
    resp = other.post("/h5/profile/email", data={"csrf_token": token, "email": MAIL,
                                                 "code": "123456"})
    assert "已被其他账户使用" in text(resp)
    assert user(app, OTHER).email is None
    # Her own address again: nothing to change.
    token = csrf(client, "/h5/profile/email")
    resp = send_code(client, "/h5/profile/email/code", token, MAIL)
    assert "已是您当前的邮箱" in resp.get_json()["message"]


def test_change_then_delete(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    assert set_email(app, client, MAIL).status_code == 302
    forget_counters(app)
    assert set_email(app, client, "an.zhang@example.org").status_code == 302
    assert user(app, PHONE).email == "an.zhang@example.org"
    page = text(client.get("/h5/profile/email"))
    assert "修改电子邮箱" in page and "a***g@example.org" in page
    assert client.post("/h5/profile/email/delete", data={}).status_code == 400  # no CSRF
    resp = form_post(client, "/h5/profile/email/delete", {}, page="/h5/profile/email")
    assert resp.status_code == 302
    assert user(app, PHONE).email is None
    assert "未设置（设置）" in text(client.get("/h5/profile"))


def test_the_email_pages_need_a_login(app, client):
    assert client.get("/h5/profile/email").status_code == 302
    token = csrf(client, "/h5/account/login")
    resp = send_code(client, "/h5/profile/email/code", token, MAIL)
    assert resp.status_code == 400 and "请先登录" in resp.get_json()["message"]


def test_the_email_code_is_throttled_like_an_sms(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    token = csrf(client, "/h5/profile/email")
    assert send_code(client, "/h5/profile/email/code", token, MAIL).status_code == 200
    resp = send_code(client, "/h5/profile/email/code", token, MAIL)
    assert resp.status_code == 400 and "验证码发送过于频繁" in resp.get_json()["message"]


# -- 找回密码 by e-mail ------------------------------------------------------------------

def recover_start(client, entry):
    token = csrf(client, "/h5/account/recover")
    load_captcha(client, "recover")
    return client.post("/h5/account/recover", data={"csrf_token": token, "phone": entry,
                                                    "captcha": "AAAA"})


def enter_code(client, code):
    return form_post(client, "/h5/account/recover/email", {"code": code})


def test_recovery_by_email_end_to_end(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    assert set_email(app, client, MAIL).status_code == 302
    forget_counters(app)
    anon = app.test_client()
    resp = recover_start(anon, "ZHANG.AN@example.com")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/recover/email")
    page = text(anon.get("/h5/account/recover/email"))
    assert "验证码已发送至z***n@example.com" in page and MAIL not in page
    assert anon.get("/h5/account/recover/password").status_code == 302  # not yet
    code = last_code(app, MAIL)
    wrong = "000000" if code != "000000" else "111111"
    assert "验证码错误，还可输入4次" in text(enter_code(anon, wrong))
    resp = enter_code(anon, code)
    assert resp.headers["Location"].endswith("/h5/account/recover/password")
    resp = form_post(anon, "/h5/account/recover/password",
                     {"password": "Fresh@2026", "confirm": "Fresh@2026"})
    assert "找回密码信息确认" in text(resp) and "电子邮箱认证" in text(resp)
    resp = recover_password(anon, "Fresh@2026")
    assert resp.headers["Location"].endswith("/recover/done")
    assert login_web(app.test_client(), PHONE, "Fresh@2026").status_code == 302
    # The flow is used up: the code page sends back to the first step.
    assert anon.get("/h5/account/recover/email").status_code == 302


def test_recovery_by_email_of_an_activated_account_asks_for_the_id(
        app, client, registry, easy_captcha):
    signed_up(app, client, PHONE)
    assert set_email(app, client, MAIL).status_code == 302
    forget_counters(app)
    activate_wang(app, client)
    anon = app.test_client()
    assert recover_start(anon, MAIL).headers["Location"].endswith("/recover/email")
    resp = enter_code(anon, last_code(app, MAIL))
    assert resp.headers["Location"].endswith("/h5/account/recover/identity")
    token = csrf(anon, "/h5/account/recover/identity")
    load_captcha(anon, "recover_identity")
    resp = anon.post("/h5/account/recover/identity",
                     data={"csrf_token": token, "captcha": "AAAA", **WANG})
    assert resp.headers["Location"].endswith("/h5/verify/methods")
    forget_counters(app)
    resp = own_phone_check(app, anon, "18900000024")
    assert resp.headers["Location"].endswith("/h5/account/recover/password")
    recover_password(anon, "Fresh@2026")
    assert login_web(app.test_client(), PHONE, "Fresh@2026").status_code == 302


def test_an_unknown_address_is_answered_like_a_known_one(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    assert set_email(app, client, MAIL).status_code == 302
    forget_counters(app)
    known, unknown = app.test_client(), app.test_client()
    a = recover_start(known, MAIL)
    b = recover_start(unknown, "nobody@example.com")
    assert (a.status_code, a.headers["Location"]) == (b.status_code, b.headers["Location"])
    page_a = text(known.get("/h5/account/recover/email")).replace("z***n@example.com", "X")
    page_b = text(unknown.get("/h5/account/recover/email")).replace("n***y@example.com", "X")
    def strip(page):  # the CSRF token differs
        return re.sub(r'value="[^"]+"', "", page)
    assert strip(page_a) == strip(page_b)
    assert sms_count(app, "nobody@example.com") == 0  # nothing is mailed to it
    code = last_code(app, MAIL)
    wrong = "000000" if code != "000000" else "111111"
    assert alert(enter_code(known, wrong)) == alert(enter_code(unknown, wrong)) == [
        "验证码错误，还可输入4次。"]
    # The resend button answers alike too.
    forget_counters(app)
    for c in (known, unknown):
        token = csrf(c, "/h5/account/recover/email")
        body = send_code(c, "/h5/account/recover/email/code", token).get_json()
        assert body["ok"] and body["message"].startswith("若该电子邮箱已绑定在线用户，验证码已发送至")


def test_a_deleted_address_no_longer_recovers(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    assert set_email(app, client, MAIL).status_code == 302
    form_post(client, "/h5/profile/email/delete", {}, page="/h5/profile/email")
    forget_counters(app)
    anon = app.test_client()
    before = sms_count(app, MAIL)
    assert recover_start(anon, MAIL).status_code == 302
    assert sms_count(app, MAIL) == before


def test_recovery_start_with_junk(app, client, easy_captcha):
    for entry in ("zhang@", "a@b", "\x00@example.com", "zhang@@example.com", "x" * 300):
        resp = recover_start(app.test_client(), entry)
        assert resp.status_code in (200, 400), entry
        assert resp.status_code == 400 or alert(resp), entry
    resp = recover_start(app.test_client(), "zhang@")
    assert "请输入正确的电子邮箱地址" in text(resp)
    # A phone still answers as before.
    assert "该手机号未注册在线用户" in text(recover_start(app.test_client(), "13999999999"))
    # The code page without a flow goes back to the first step; junk codes are refused.
    assert app.test_client().get("/h5/account/recover/email").status_code == 302
    anon = app.test_client()
    recover_start(anon, "nobody@example.com")
    resp = enter_code(anon, "abc")
    assert resp.status_code == 200 and "请输入6位数字验证码" in text(resp)
    token = csrf(anon, "/h5/account/recover/email")
    resp = anon.post("/h5/account/recover/email", data={"csrf_token": token, "code": "1\x0023"})
    assert resp.status_code in (200, 400)


def test_mask_email():
    from wechat_hall.masking import mask_email
    assert mask_email("zhang.an@example.com") == "z***n@example.com"
    assert mask_email("ab@example.com") == "a***@example.com"
    assert mask_email("a@example.com") == "a***@example.com"
    assert mask_email("") == "" and mask_email(None) == ""
