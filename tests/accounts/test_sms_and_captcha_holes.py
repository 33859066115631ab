"""Issue 13 item 9, the SMS and captcha holes, over HTTP: the captcha while Redis is down,
the bind SMS to an account another WeChat holds, and the daily caps that count people
(phone, openid, session) first and treat the client address as a brake with a captcha.
"""

import pytest
import redis

from tests.accounts.account_helpers import (
    as_wechat,
    csrf,
    last_code,
    load_captcha,
    register_web,
    send_code,
    sms_count,
)

PHONE = "13800000021"
NAT = "10.9.9.9"  # one carrier-NAT address shared by everybody below


@pytest.fixture
def redis_down(app):
    """Redis is gone: every call fails at once, as with the server stopped."""
    def stop():
        app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1,
                                              socket_connect_timeout=0.2, socket_timeout=0.2)
    return stop


def test_the_captcha_image_while_redis_is_down_is_a_clear_503(app, client, redis_down):
    redis_down()
    resp = client.get("/h5/captcha.png?for=login")
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "30"
    assert resp.get_data(as_text=True) == "图形验证码暂时无法使用，请稍后再试。"


def test_a_web_login_while_redis_is_down_says_why(app, client, easy_captcha, redis_down):
    register_web(app, client, PHONE)
    fresh = app.test_client()
    token = csrf(fresh, "/h5/account/login")
    load_captcha(fresh, "login")
    redis_down()
    resp = fresh.post("/h5/account/login", data={"csrf_token": token, "phone": PHONE,
                                                 "password": "x", "captcha": "AAAA"})
    # The captcha and the session are in the same Redis: the session's 503 page answers
    # first and says why (h5/errors.py), nothing is checked, never a 500.
    assert resp.status_code == 503
    assert "登录状态服务暂时无法访问" in resp.get_data(as_text=True)


def test_the_bind_sms_is_not_sent_to_an_account_another_wechat_holds(app, client, easy_captcha):
    register_web(app, client, PHONE)
    first = app.test_client()
    as_wechat(first, "o_owner")
    token = csrf(first, "/h5/account/bind")
    assert send_code(first, "/h5/account/sms/bind", token, PHONE).status_code == 200
    assert first.post("/h5/account/bind", data={
        "csrf_token": token, "phone": PHONE, "code": last_code(app, PHONE)}).status_code == 302
    sent = sms_count(app, PHONE)
    stranger = app.test_client()
    as_wechat(stranger, "o_stranger")
    token = csrf(stranger, "/h5/account/bind")
    resp = send_code(stranger, "/h5/account/sms/bind", token, PHONE)
    assert resp.status_code == 400
    assert "该账户已绑定其他微信" in resp.get_json()["message"]
    assert sms_count(app, PHONE) == sent  # refused before anything was sent


def nat_client(app):
    client = app.test_client()
    return client, csrf(client, "/h5/account/register")


def ask(client, token, phone, **data):
    return client.post("/h5/account/sms/register", data={"phone": phone, **data},
                       headers={"X-CSRFToken": token, "X-Forwarded-For": NAT})


def test_people_behind_one_nat_get_a_captcha_not_a_refusal(make_app, easy_captcha):
    app = make_app(TRUSTED_PROXIES=1, SMS_DAILY_PER_IP=3)
    for n in range(3):  # three people, three sessions, one address
        client, token = nat_client(app)
        assert ask(client, token, f"1390000030{n}").status_code == 200
    client, token = nat_client(app)
    braked = ask(client, token, "13900000309")
    body = braked.get_json()
    assert braked.status_code == 400 and "请输入图形验证码" in body["message"]
    assert body["captcha"] == "/h5/captcha.png?for=sms" and sms_count(app, "13900000309") == 0
    # A wrong answer sends nothing; the right one (on a fresh image) sends the code.
    client.get(body["captcha"])
    wrong = ask(client, token, "13900000309", captcha="ZZZZ")
    assert wrong.status_code == 400 and wrong.get_json()["captcha"]
    assert sms_count(app, "13900000309") == 0
    client.get(body["captcha"])
    assert ask(client, token, "13900000309", captcha="AAAA").status_code == 200
    assert sms_count(app, "13900000309") == 1


def test_one_session_asking_for_many_phones_is_capped_for_itself_only(make_app):
    app = make_app(TRUSTED_PROXIES=1, SMS_DAILY_PER_REQUESTER=2, SMS_RESEND_SECONDS=0)
    client, token = nat_client(app)
    assert [ask(client, token, f"1390000040{n}").status_code for n in range(2)] == [200, 200]
    capped = ask(client, token, "13900000409")
    assert capped.status_code == 400 and "您今日获取验证码次数已达上限" in capped.get_json()["message"]
    neighbour, token2 = nat_client(app)  # the next person behind the same NAT is not
    assert ask(neighbour, token2, "13900000409").status_code == 200


def test_an_openid_is_one_requester_across_sessions(make_app):
    app = make_app(SMS_DAILY_PER_REQUESTER=1, SMS_RESEND_SECONDS=0)
    codes = []
    for n in range(2):
        client = app.test_client()
        as_wechat(client, "o_same")
        token = csrf(client, "/h5/account/register")
        codes.append(send_code(client, "/h5/account/sms/register", token,
                               f"1390000050{n}").status_code)
    assert codes == [200, 400]
