"""Staff login: CSRF, hashed passwords, the generic refusal, lockout, session renewal."""
from datetime import timedelta

import pytest

from models import StaffUser
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db
from wechat_hall.services.accounts import staff_users

from tests.staff.staff_helpers import StaffBrowser, csrf_from, get_staff, make_staff

GENERIC = "用户名或密码错误"


def _set(app, username, **values):
    with app.app_context():
        user = db.session.execute(db.select(StaffUser).filter_by(username=username)).scalar_one()
        for key, value in values.items():
            setattr(user, key, value)
        db.session.commit()


def test_login_ok_goes_to_console(app, client, staff):
    make_staff(app, "wang", "agent", "Agent@2026", display_name="客服小王")
    resp = staff.login("wang", "Agent@2026")
    assert resp.status_code == 302
    assert resp.location == "/staff/"
    page = client.get("/staff/").get_data(as_text=True)
    assert "客服小王" in page
    assert "客服工作台" in page and 'href="/staff/cs/"' in page
    assert "后台管理" not in page  # not an admin
    user = get_staff(app, "wang")
    assert user.last_login_at is not None and user.failed_logins == 0


def test_password_is_stored_hashed(app):
    make_staff(app, "li", "counter", "Counter@2026", fast_hash=False)
    user = get_staff(app, "li")
    assert "Counter@2026" not in user.password_hash
    assert user.check_password("Counter@2026")


def test_wrong_password_and_unknown_user_get_the_same_message(app, client, staff):
    make_staff(app, "wang", "agent", "Agent@2026")
    wrong = staff.login("wang", "Wrong@2026").get_data(as_text=True)
    unknown = staff.login("nobody", "Wrong@2026").get_data(as_text=True)
    assert GENERIC in wrong and GENERIC in unknown
    assert "账号已锁定" not in wrong
    assert client.get("/staff/").status_code == 302  # still not signed in
    assert get_staff(app, "wang").failed_logins == 1


def test_empty_fields_are_told_beside_the_field(app, staff):
    page = staff.login("", "").get_data(as_text=True)
    assert "请输入用户名" in page and "请输入密码" in page


def test_lockout_after_max_failures(app, client, staff):
    make_staff(app, "wang", "agent", "Agent@2026")
    limit = app.config["STAFF_MAX_FAILED_LOGINS"]
    minutes = app.config["STAFF_LOCK_MINUTES"]
    for _ in range(limit - 1):
        assert GENERIC in staff.login("wang", "Wrong@2026").get_data(as_text=True)
    last = staff.login("wang", "Wrong@2026").get_data(as_text=True)
    assert f"账号已锁定，请{minutes}分钟后再试" in last
    user = get_staff(app, "wang")
    assert user.locked_until is not None and user.locked_until > utcnow()

    # The right password does not help while the lock lasts, and says how long is left.
    again = staff.login("wang", "Agent@2026").get_data(as_text=True)
    assert "账号已锁定" in again and f"{minutes}分钟" in again
    assert client.get("/staff/").status_code == 302


def test_locked_account_shows_minutes_remaining(app, staff):
    make_staff(app, "wang", "agent", "Agent@2026")
    _set(app, "wang", locked_until=utcnow() + timedelta(minutes=6, seconds=30))
    page = staff.login("wang", "Agent@2026").get_data(as_text=True)
    assert "账号已锁定，请7分钟后再试" in page


def test_lock_passes_with_time(app, client, staff):
    make_staff(app, "wang", "agent", "Agent@2026")
    _set(app, "wang", locked_until=utcnow() + timedelta(minutes=10), failed_logins=0)
    assert "账号已锁定" in staff.login("wang", "Agent@2026").get_data(as_text=True)
    _set(app, "wang", locked_until=utcnow() - timedelta(seconds=1))
    resp = staff.login("wang", "Agent@2026")
    assert resp.status_code == 302
    user = get_staff(app, "wang")
    assert user.locked_until is None and user.failed_logins == 0


def test_failures_after_a_lock_count_afresh(app, staff):
    make_staff(app, "wang", "agent", "Agent@2026")
    limit = app.config["STAFF_MAX_FAILED_LOGINS"]
    for _ in range(limit):
        staff.login("wang", "Wrong@2026")
    _set(app, "wang", locked_until=utcnow() - timedelta(seconds=1))
    page = staff.login("wang", "Wrong@2026").get_data(as_text=True)
    assert GENERIC in page and "账号已锁定" not in page
    assert get_staff(app, "wang").failed_logins == 1


def test_success_resets_the_failure_count(app, client, staff):
    make_staff(app, "wang", "agent", "Agent@2026")
    staff.login("wang", "Wrong@2026")
    staff.login("wang", "Wrong@2026")
    assert staff.login("wang", "Agent@2026").status_code == 302
    assert get_staff(app, "wang").failed_logins == 0


def test_disabled_account_refused(app, client, staff):
    make_staff(app, "gone", "agent", "Agent@2026", active=False)
    page = staff.login("gone", "Agent@2026").get_data(as_text=True)
    assert "账号已停用" in page
    assert client.get("/staff/").status_code == 302
    # With a wrong password the account's state is not revealed.
    assert GENERIC in staff.login("gone", "Wrong@2026").get_data(as_text=True)


def test_disabled_while_signed_in_loses_the_session(app, client, staff):
    make_staff(app, "wang", "agent", "Agent@2026")
    staff.login("wang", "Agent@2026")
    assert client.get("/staff/").status_code == 200
    _set(app, "wang", active=False)
    resp = client.get("/staff/")
    assert resp.status_code == 302 and resp.location.startswith("/staff/login")


def test_login_without_csrf_token_is_refused(app, client):
    make_staff(app, "wang", "agent", "Agent@2026")
    client.get("/staff/login")
    resp = client.post("/staff/login", data={"username": "wang", "password": "Agent@2026"})
    assert resp.status_code == 400
    assert "页面已过期" in resp.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_login_with_a_forged_csrf_token_is_refused(app, client):
    make_staff(app, "wang", "agent", "Agent@2026")
    client.get("/staff/login")
    resp = client.post("/staff/login", data={"csrf_token": "forged", "username": "wang",
                                             "password": "Agent@2026"})
    assert resp.status_code == 400


def test_session_is_renewed_at_login(app, client, staff):
    make_staff(app, "wang", "agent", "Agent@2026")
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"
    staff.login("wang", "Agent@2026")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"].startswith("staff:")


def test_next_goes_to_local_paths_only(app, client, staff):
    make_staff(app, "boss", "admin", "Admin@2026")
    assert staff.login("boss", "Admin@2026", next="/admin/office/").location == "/admin/office/"
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        fresh = app.test_client()
        resp = StaffBrowser(fresh).login("boss", "Admin@2026", next=bad)
        assert resp.location == "/staff/", bad


def test_anonymous_console_redirects_to_login_with_next(client):
    resp = client.get("/staff/")
    assert resp.status_code == 302
    assert resp.location.startswith("/staff/login?next=")


def test_signed_in_user_opening_login_goes_to_console(app, client, staff):
    make_staff(app, "wang", "agent", "Agent@2026")
    staff.login("wang", "Agent@2026")
    resp = client.get("/staff/login")
    assert resp.status_code == 302 and resp.location == "/staff/"


def test_logout_needs_post_and_csrf(app, client, staff):
    make_staff(app, "wang", "agent", "Agent@2026")
    staff.login("wang", "Agent@2026")
    assert client.get("/staff/logout").status_code == 405
    assert client.post("/staff/logout").status_code == 400  # no token
    assert client.get("/staff/").status_code == 200  # still signed in
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    resp = client.post("/staff/logout", data={"csrf_token": token})
    assert resp.status_code == 302 and resp.location == "/staff/login"
    assert client.get("/staff/").status_code == 302


def test_authenticate_raises_typed_errors(app):
    """The service later features call: the reason is a type, the message is Chinese."""
    make_staff(app, "wang", "agent", "Agent@2026")
    make_staff(app, "gone", "agent", "Agent@2026", active=False)
    with app.app_context():
        assert staff_users.authenticate(" wang ", "Agent@2026").username == "wang"
        with pytest.raises(staff_users.BadCredentials, match=GENERIC):
            staff_users.authenticate("nobody", "Agent@2026")
        with pytest.raises(staff_users.AccountDisabled):
            staff_users.authenticate("gone", "Agent@2026")
        for _ in range(app.config["STAFF_MAX_FAILED_LOGINS"] - 1):
            with pytest.raises(staff_users.BadCredentials):
                staff_users.authenticate("wang", "nope")
        with pytest.raises(staff_users.AccountLocked) as locked:
            staff_users.authenticate("wang", "nope")
        assert locked.value.minutes == app.config["STAFF_LOCK_MINUTES"]
        with pytest.raises(staff_users.AccountLocked):
            staff_users.authenticate("wang", "Agent@2026")


def test_lockout_follows_the_settings(make_app):
    app = make_app(STAFF_MAX_FAILED_LOGINS=2, STAFF_LOCK_MINUTES=3)
    make_staff(app, "wang", "agent", "Agent@2026")
    browser = StaffBrowser(app.test_client())
    assert GENERIC in browser.login("wang", "x").get_data(as_text=True)
    assert "请3分钟后再试" in browser.login("wang", "x").get_data(as_text=True)
    assert "连续输错密码 2 次，账号将锁定 3 分钟" in browser.client.get(
        "/staff/login").get_data(as_text=True)
