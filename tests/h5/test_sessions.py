"""Sessions that end when they should (issue 13, item 3), in one process.

The cookie is an opaque id of a session kept in Redis: a copy made before 退出登录 opens
nothing afterwards; a password change, unbinding and deregistration end every session of
the account; sessions end after 30 idle minutes and 12 h (investor) / 8 h (staff) in all;
with Redis down a request with a session gets the 503 page. Across two gunicorn workers:
tests/h5/test_sessions_gunicorn.py.
"""
import time

import redis
from flask.json.tag import TaggedJSONSerializer
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.accounts.account_helpers import (PASSWORD, Staff, csrf, easy_captcha,  # noqa: F401
                                            form_post, last_code, login_web, register_web,
                                            send_code, signed_up, signed_up_wechat)

PHONE = "13800000071"


def _sid(client):
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def _copy(app, client):
    """Another browser holding a copy of ``client``'s cookie."""
    thief = app.test_client()
    thief.set_cookie("session", _sid(client))
    return thief


def _signed_in(client):
    return client.get("/h5/profile").status_code == 200


def _stored(app, sid):
    raw = app.extensions["redis"].get("session:" + sid)
    return None if raw is None else TaggedJSONSerializer().loads(raw)


def _age(app, sid, seconds):
    """Make the stored session ``seconds`` older (its start, not its idle clock)."""
    r = app.extensions["redis"]
    data = _stored(app, sid)
    data["_born"] -= seconds
    r.set("session:" + sid, TaggedJSONSerializer().dumps(data), keepttl=True)


def test_the_cookie_is_an_opaque_id_that_ends_with_the_browser(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    cookie = client.get_cookie("session")
    assert cookie.expires is None  # a browser-session cookie, not 31 days
    assert cookie.http_only and cookie.same_site == "Lax"
    assert "hall_user_id" in _stored(app, cookie.value)
    assert PHONE not in cookie.value and "." not in cookie.value  # no signed payload


def test_a_copied_cookie_opens_nothing_after_logout(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    thief = _copy(app, client)
    assert _signed_in(thief)
    old = _sid(client)
    assert form_post(client, "/h5/account/logout", {}, page="/h5/profile").status_code == 302
    assert _stored(app, old) is None
    assert thief.get("/h5/profile").headers["Location"].startswith("/h5/account/login")
    assert not _signed_in(client)


def test_signing_in_starts_a_new_session_id(app, client, easy_captcha):
    client.get("/h5/account/login")
    assert register_web(app, client, PHONE).status_code == 302
    before = _sid(client)
    assert login_web(client, PHONE).status_code == 302
    assert _sid(client) != before and _stored(app, before) is None


def test_password_change_ends_every_other_session(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    other = app.test_client()
    assert login_web(other, PHONE).status_code == 302
    thief = _copy(app, client)
    resp = form_post(client, "/h5/account/password", {
        "old_password": PASSWORD, "password": "Hall@2027y", "confirm": "Hall@2027y"})
    assert resp.status_code == 302
    assert not _signed_in(other) and not _signed_in(thief)
    assert _signed_in(client)  # this session goes on, under a new id


def test_unbinding_ends_the_accounts_sessions(app, client):
    signed_up_wechat(app, client, PHONE, "o_unbind_sessions")
    assert _signed_in(client)
    thief = _copy(app, client)
    resp = form_post(client, "/h5/account/unbind", {}, page="/h5/account/bind")
    assert resp.status_code == 302
    assert not _signed_in(thief) and not _signed_in(client)


def test_deregistration_ends_the_accounts_sessions(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    other = app.test_client()
    assert login_web(other, PHONE).status_code == 302
    resp = form_post(client, "/h5/account/deregister", {})
    assert resp.headers["Location"].endswith("/h5/verify/methods")
    token = csrf(client, "/h5/verify/phone")
    send_code(client, "/h5/verify/sms/phone", token)
    resp = client.post("/h5/verify/phone", data={"csrf_token": token,
                                                 "code": last_code(app, PHONE)})
    assert resp.headers["Location"].endswith("/deregister/done")
    assert not _signed_in(other)
    assert app.extensions["redis"].smembers("session:of:hall:1") == set()


def test_staff_logout_ends_the_session_for_a_copied_cookie(app):
    agent = Staff(app, "agent_s", "agent")
    assert agent.get("/staff/cs/").status_code == 200
    thief = _copy(app, agent.client)
    assert thief.get("/staff/cs/").status_code == 200
    assert agent.post("/staff/logout", {}).status_code == 302
    resp = thief.get("/staff/cs/")
    assert resp.status_code == 302 and "/staff/login" in resp.headers["Location"]


def test_staff_password_reset_by_an_admin_signs_the_staff_member_out(app):
    from models import StaffUser
    from wechat_hall.extensions import db
    from wechat_hall.services.accounts import staff_users
    agent = Staff(app, "agent_r", "agent")
    assert agent.get("/staff/cs/").status_code == 200
    with app.test_request_context():
        user = db.session.execute(db.select(StaffUser).filter_by(username="agent_r")).scalar_one()
        staff_users.apply_admin_edit(None, user, roles=["agent"], password="Reset@2027z")
        db.session.commit()
    assert agent.get("/staff/cs/").status_code == 302


def test_idle_sessions_end_after_30_minutes_and_each_request_renews_them(
        app, client, easy_captcha):
    signed_up(app, client, PHONE)
    r, key = app.extensions["redis"], "session:" + _sid(client)
    assert 1790 <= r.ttl(key) <= 1800
    r.expire(key, 60)  # 29 idle minutes later …
    assert _signed_in(client)  # … a request renews the idle time
    assert 1790 <= r.ttl(key) <= 1800
    r.pexpire(key, 1)  # 30 idle minutes: Redis lets the key go
    time.sleep(0.05)
    assert not _signed_in(client)


def test_investor_sessions_end_after_12_hours_in_all(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    _age(app, _sid(client), 11 * 3600)
    assert _signed_in(client)
    _age(app, _sid(client), 3600 + 5)
    assert not _signed_in(client)


def test_staff_sessions_end_after_8_hours_in_all(app):
    agent = Staff(app, "agent_t", "agent")
    sid = _sid(agent.client)
    _age(app, sid, 7 * 3600)
    assert agent.get("/staff/cs/").status_code == 200
    _age(app, sid, 3600 + 5)
    assert agent.get("/staff/cs/").status_code == 302


def _redis_down(app):
    app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2,
                                          retry=Retry(NoBackoff(), 0))


def test_with_redis_down_a_signed_in_page_is_a_503_in_chinese(app, client, easy_captcha):
    signed_up(app, client, PHONE)
    _redis_down(app)
    resp = client.get("/h5/profile")
    assert resp.status_code == 503
    assert "服务暂不可用" in resp.get_data(as_text=True)
    assert app.test_client().get("/healthz").status_code == 503  # says what is down


def test_with_redis_down_signing_in_is_a_503_not_a_500(app, client, easy_captcha):
    assert register_web(app, client, PHONE).status_code == 302
    fresh = app.test_client()
    _redis_down(app)
    assert fresh.get("/h5/").status_code == 200  # a page without a session still answers
    page = fresh.get("/h5/account/login")  # the form cannot keep its CSRF token
    assert page.status_code == 503 and "服务暂不可用" in page.get_data(as_text=True)
    signed = app.test_client()
    signed.set_cookie("session", _sid(client))
    resp = signed.post("/h5/account/login", data={"phone": PHONE, "password": PASSWORD})
    assert resp.status_code == 503 and "服务暂不可用" in resp.get_data(as_text=True)
