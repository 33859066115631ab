"""ACC-3 binding / unbinding in WeChat, ACC-4 password change, PUB-2 profile."""
import re
from urllib.parse import parse_qs, urlsplit

from tests.seeding import forget_counters
from tests.accounts.account_helpers import (PASSWORD, as_wechat, csrf, form_post, last_code,
                                            login_web, register_web, send_code, signed_up, user)
from tests.conftest import TEST_APPID

PHONE = "13800000002"


def _bind(app, client, phone=PHONE, code=None):
    token = csrf(client, "/h5/account/bind")
    send_code(client, "/h5/account/sms/bind", token, phone)
    return client.post("/h5/account/bind", data={
        "csrf_token": token, "phone": phone, "code": code or last_code(app, phone)})


def test_bind_needs_the_wechat_identity_first(app, client):
    """Without an openid the bind page sends the browser to WeChat's OAuth2 authorize URL
    (here the simulator's, on the host the browser reached): our appid, our callback,
    a silent snsapi_base code, and a state kept in the session for the callback."""
    resp = client.get("/h5/account/bind")
    assert resp.status_code == 302
    url = urlsplit(resp.headers["Location"])
    assert (url.scheme, url.netloc, url.path) == ("http", "localhost",
                                                   "/sim/api/connect/oauth2/authorize")
    assert url.fragment == "wechat_redirect"
    query = parse_qs(url.query, keep_blank_values=True)
    assert list(query) == ["appid", "redirect_uri", "response_type", "scope", "state"]
    assert query["appid"] == [TEST_APPID]
    assert query["redirect_uri"] == ["http://localhost/h5/oauth/callback"]
    assert query["response_type"] == ["code"] and query["scope"] == ["snsapi_base"]
    (state,) = query["state"]
    assert re.fullmatch(r"[A-Za-z0-9]{16,}", state)
    with client.session_transaction() as sess:
        assert sess["oauth_state"] == state
        assert sess["oauth_next"] == "/h5/account/bind"
    # Each start of OAuth gets a state of its own.
    again = parse_qs(urlsplit(client.get("/h5/account/bind").headers["Location"]).query)
    assert again["state"][0] != state


def test_bind_with_phone_and_code_then_unbind(app, client, easy_captcha):
    register_web(app, client, PHONE)
    wx = app.test_client()
    as_wechat(wx, "o_bind_1")
    resp = _bind(app, wx)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/")
    assert user(app, PHONE).openid == "o_bind_1"
    page = wx.get("/h5/account/bind").get_data(as_text=True)
    assert "当前微信已绑定" in page and "138****0002" in page and "解除绑定" in page
    token = csrf(wx, "/h5/account/bind")
    resp = wx.post("/h5/account/unbind", data={"csrf_token": token})
    assert resp.status_code == 302
    assert user(app, PHONE).openid is None
    assert wx.get("/h5/profile").status_code == 302  # no longer signed in


def test_one_openid_one_account(app, client, easy_captcha):
    register_web(app, client, PHONE)
    register_web(app, app.test_client(), "13800000003")
    first = app.test_client()
    as_wechat(first, "o_one")
    _bind(app, first)
    # The same WeChat user cannot bind a second account …
    token = csrf(first, "/h5/account/bind")  # shows the unbind page instead
    assert "解除绑定" in first.get("/h5/account/bind").get_data(as_text=True)
    # … and another WeChat user cannot take an account that is bound.
    second = app.test_client()
    as_wechat(second, "o_two")
    forget_counters(app)  # past the resend throttle
    page = _bind(app, second).get_data(as_text=True)
    assert "该账户已绑定其他微信" in page
    assert user(app, PHONE).openid == "o_one"
    assert token


def test_binding_an_unregistered_phone_is_refused_before_any_sms(app, client):
    wx = app.test_client()
    as_wechat(wx, "o_x")
    token = csrf(wx, "/h5/account/bind")
    resp = send_code(wx, "/h5/account/sms/bind", token, "13911112222")
    assert resp.status_code == 400 and "尚未注册" in resp.get_json()["message"]


def test_a_wrong_bind_code_binds_nothing(app, client, easy_captcha):
    register_web(app, client, PHONE)
    wx = app.test_client()
    as_wechat(wx, "o_wrong")
    token = csrf(wx, "/h5/account/bind")
    send_code(wx, "/h5/account/sms/bind", token, PHONE)
    good = last_code(app, PHONE)
    bad = "000000" if good != "000000" else "111111"
    page = wx.post("/h5/account/bind", data={"csrf_token": token, "phone": PHONE,
                                             "code": bad}).get_data(as_text=True)
    assert "验证码错误" in page and user(app, PHONE).openid is None


def test_profile_shows_masked_data_and_links(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    page = client.get("/h5/profile").get_data(as_text=True)
    assert "138****0002" in page and PHONE not in page
    for text in ("修改登录密码", "手机号", "完善客户资料", "注销用户", "退出登录"):
        assert text in page
    wx = app.test_client()
    as_wechat(wx, "o_prof")
    _bind(app, wx)
    page = wx.get("/h5/profile").get_data(as_text=True)
    assert "微信绑定" in page and "注销用户" not in page  # deregistration is on the web hall


def test_pages_for_users_send_others_to_login(app, client):
    for path in ("/h5/profile", "/h5/account/password", "/h5/account/phone",
                 "/h5/account/deregister", "/h5/ymt/activate"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/h5/account/login?next=" in resp.headers["Location"]


def test_change_password_ends_other_sessions(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    other = app.test_client()
    login_web(other, PHONE)
    assert other.get("/h5/profile").status_code == 200
    page = form_post(client, "/h5/account/password", {
        "old_password": "Wrong@000", "password": "New@20261", "confirm": "New@20261"})
    assert "原密码不正确" in page.get_data(as_text=True)
    page = form_post(client, "/h5/account/password", {
        "old_password": PASSWORD, "password": "short", "confirm": "short"})
    assert "密码长度须为8-16位" in page.get_data(as_text=True)
    resp = form_post(client, "/h5/account/password", {
        "old_password": PASSWORD, "password": "New@20261", "confirm": "New@20261"})
    assert resp.status_code == 302
    assert client.get("/h5/profile").status_code == 200      # this session goes on
    assert other.get("/h5/profile").status_code == 302       # the other one ended
    assert login_web(app.test_client(), PHONE, "New@20261").status_code == 302
