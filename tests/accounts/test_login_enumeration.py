"""Issue 13 item 6: a login's answers never tell whether a phone (or a staff username) is
registered, and one client cannot spray logins (Flask-Limiter, per address and per openid).
"""
import re

from tests.accounts.account_helpers import PASSWORD, as_wechat, csrf, login_web, register_web
from tests.staff.staff_helpers import StaffBrowser, make_staff

KNOWN, UNKNOWN = "13800000011", "13900000099"


def answers(client, phone, tries):
    """The page's message after each of ``tries`` wrong passwords for ``phone``."""
    texts = []
    for _ in range(tries):
        html = login_web(client, phone, "Wrong@123").get_data(as_text=True)
        texts.append(re.search(r'hall-flash-error" role="alert">([^<]+)<', html).group(1))
    return texts


def test_a_known_and_an_unknown_phone_answer_alike_up_to_and_after_the_lock(
        app, client, easy_captcha):
    app.config.update(HALL_MAX_FAILED_LOGINS=3, HALL_LOCK_MINUTES=15)
    register_web(app, client, KNOWN)
    known = answers(app.test_client(), KNOWN, 4)
    unknown = answers(app.test_client(), UNKNOWN, 4)
    assert known == unknown
    assert known[:2] == ["手机号或密码错误"] * 2
    assert known[2].startswith("密码连续输错次数过多，账户已锁定，请15分钟后再试")
    assert known[3].startswith("账户已锁定，请15分钟后再试")
    # The real owner is locked out too for now (that is the lock); after it she is let in.
    resp = login_web(app.test_client(), KNOWN, PASSWORD)
    assert "账户已锁定" in resp.get_data(as_text=True)


def test_an_unknown_phones_lock_ends_with_the_clock(app, make_app, easy_captcha):
    from datetime import datetime, timedelta
    start = datetime(2026, 12, 1, 2, 0)
    app.config.update(HALL_MAX_FAILED_LOGINS=2, HALL_LOCK_MINUTES=15, CLOCK_NOW=start)
    assert answers(app.test_client(), UNKNOWN, 3)[2].startswith("账户已锁定，请15分钟后再试")
    app.config["CLOCK_NOW"] = start + timedelta(minutes=16)
    assert answers(app.test_client(), UNKNOWN, 1) == ["手机号或密码错误"]


def test_staff_usernames_answer_alike_too(app, client):
    app.config.update(STAFF_MAX_FAILED_LOGINS=2, STAFF_LOCK_MINUTES=15)
    make_staff(app, "agent", "agent")

    def tries(username):
        staff = StaffBrowser(app.test_client())
        return [re.search(r'role="alert"[^>]*>([^<]+)<',
                          staff.login(username, "Wrong@123x").get_data(as_text=True)).group(1)
                for _ in range(3)]
    assert tries("agent") == tries("nobody")


def test_thirty_logins_against_thirty_phones_from_one_address_are_throttled(
        app, client, easy_captcha):
    """The issue's attack: inside WeChat (no captcha), one openid tries 30 phones."""
    as_wechat(client, "o_sprayer")
    token = csrf(client, "/h5/account/login")
    codes = [client.post("/h5/account/login", data={
        "csrf_token": token, "phone": f"139000001{n:02d}", "password": "Wrong@123"}).status_code
        for n in range(30)]
    assert codes[:5] == [200] * 5  # LOGIN_RATE_LIMIT_OPENID: 5 per minute
    assert set(codes[5:]) == {429}
    refused = client.post("/h5/account/login", data={"csrf_token": token, "phone": KNOWN,
                                                     "password": "Wrong@123"})
    assert "操作过于频繁" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0


def test_changing_openids_does_not_escape_the_address_limit(app, easy_captcha):
    app.config.update(LOGIN_RATE_LIMIT_OPENID="100 per minute")
    codes = []
    for n in range(12):
        client = app.test_client()
        as_wechat(client, f"o_sprayer{n}")
        token = csrf(client, "/h5/account/login")
        codes.append(client.post("/h5/account/login", data={
            "csrf_token": token, "phone": f"139000002{n:02d}",
            "password": "Wrong@123"}).status_code)
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]  # 10 per minute per address


def test_another_address_and_the_get_of_the_form_are_not_counted(make_app, easy_captcha):
    app = make_app(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT_ADDRESS="2 per minute")
    client = app.test_client()
    for _ in range(5):
        assert client.get("/h5/account/login").status_code == 200
    for ip, expected in (("10.2.0.1", 200), ("10.2.0.1", 200), ("10.2.0.1", 429),
                         ("10.2.0.2", 200)):
        token = csrf(client, "/h5/account/login")
        resp = client.post("/h5/account/login", data={
            "csrf_token": token, "phone": UNKNOWN, "password": "x", "captcha": "AAAA"},
            headers={"X-Forwarded-For": ip})
        assert resp.status_code == expected, (ip, resp.status_code)


def test_staff_logins_are_throttled_per_address(app, client):
    app.config.update(STAFF_LOGIN_RATE_LIMIT_ADDRESS="3 per minute")
    staff = StaffBrowser(client)
    codes = [staff.login("nobody", "Wrong@123x").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_while_redis_is_down_no_password_is_tried(base_config, _schema):
    """Sessions live in Redis (wechat_hall/sessions.py): while it is down the login page
    answers 503 服务暂不可用, and a POST cannot carry a valid CSRF token (it lives in the
    session): 400. No password is checked, so there is nothing to throttle and nothing to
    guess; never a 500. (Flask-Limiter itself falls back to this
    process's memory: `in_memory_fallback_enabled` in wechat_hall/rate_limits.py.)"""
    from wechat_hall import create_app
    app = create_app({**base_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    client = app.test_client()
    page = client.get("/h5/account/login")
    assert page.status_code == 503 and "服务暂不可用" in page.get_data(as_text=True)
    codes = [client.post("/h5/account/login", data={
        "phone": UNKNOWN, "password": "Wrong@123"}).status_code for _ in range(7)]
    assert set(codes) <= {400, 503}, codes
