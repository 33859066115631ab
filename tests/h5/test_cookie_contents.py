"""No personal data in any cookie (issue 13, item 5).

The flows a person walks — 账户注册, 登录, 绑定及激活一码通, 申请预约 (its draft), 网络投票 —
run through a recorder of every ``Set-Cookie`` the app sends; each value is decoded the
ways a reader of a cookie would (URL-escaped, base64 parts, zlib as Flask's signed cookie
sessions compress them) and must not contain an ID number, a name or a phone number.
"""
import base64
import zlib
from urllib.parse import unquote

import pytest

from tests.accounts.account_helpers import (confirmed, csrf, easy_captcha, form_post, last_code,  # noqa: F401
                                            send_code, signed_up)
from tests.appointments.apt_helpers import ID_A, MONDAY_10AM, Person, seed_halls
from tests.voting.vote_helpers import WANG_AN, make_meeting, post_ballot

PHONE = "13800000091"
WANG = {"holder_type": "individual", "id_type": "resident_id", "id_number": "211103198603040003"}
PERSONAL = [PHONE, "211103198603040003", "王安", "18900000024", ID_A, "张三", "测试公司",
            # The same values as JSON escapes them (\u738b\u5b89 …).
            "\\u738b\\u5b89", "\\u5f20\\u4e09"]


class CookieRecorder:
    """WSGI middleware keeping every Set-Cookie header of every response."""

    def __init__(self, app):
        self.app, self.wsgi, self.cookies = app, app.wsgi_app, []
        app.wsgi_app = self

    def __call__(self, environ, start_response):
        def recording(status, headers, exc_info=None):
            self.cookies += [v for k, v in headers if k.lower() == "set-cookie"]
            return start_response(status, headers, exc_info)
        return self.wsgi(environ, recording)


def readings(header):
    """The cookie's value as text in every way it could be read."""
    value = header.split(";", 1)[0].split("=", 1)[1].strip('"')
    found = [value, unquote(value)]
    for part in value.lstrip(".").split("."):
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (ValueError, TypeError):
            continue
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            pass
        found.append(raw.decode("utf-8", "replace"))
    return found


def assert_no_personal_data(recorder):
    assert recorder.cookies, "the flow set no cookie at all"
    for header in recorder.cookies:
        for text in readings(header):
            for value in PERSONAL:
                assert value not in text, f"{value} readable in cookie {header[:60]}…"


def test_register_login_activate_and_vote_leave_no_personal_data_in_cookies(
        app, client, easy_captcha):
    from tests import seeding
    seeding.load(app, "registry")
    recorder = CookieRecorder(app)
    signed_up(app, client, PHONE)  # 账户注册 with SMS and captcha, then 登录
    resp = form_post(client, "/h5/ymt/activate", WANG)  # 绑定及激活一码通, step 1
    assert resp.headers["Location"].endswith("/h5/verify/methods")
    assert "*安" in client.get("/h5/verify/methods").get_data(as_text=True)
    token = csrf(client, "/h5/verify/phone")
    send_code(client, "/h5/verify/sms/phone", token)
    resp = confirmed(client, client.post("/h5/verify/phone", data={
        "csrf_token": token, "code": last_code(app, "18900000024")}), "激活信息确认")
    assert resp.headers["Location"].endswith("/h5/ymt/done")
    meeting = make_meeting(app)  # 网络投票: preview, then the confirmed ballot
    data = {f"item-{meeting['items'][0]}": "for"}
    assert post_ballot(client, meeting, data, step="preview").status_code == 200
    resp = post_ballot(client, meeting, data)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/{WANG_AN}/receipt?new=1")
    assert_no_personal_data(recorder)


@pytest.fixture
def hall_app(make_app):
    app = make_app(CLOCK_NOW=MONDAY_10AM)
    seed_halls(app)
    return app


def test_the_appointment_draft_stays_on_the_server(hall_app):
    """申请预约 → 下一步: the draft (ID number, names) is in the server-side session only."""
    recorder = CookieRecorder(hall_app)
    person = Person(hall_app, "o_cookie_person")
    assert person.apply().status_code == 302
    html, _, _ = person.preview()
    assert "张三" in html  # the preview shows the draft: it is kept, on the server
    assert_no_personal_data(recorder)
    sid = person.client.get_cookie("session").value
    assert ID_A.encode() in hall_app.extensions["redis"].get("session:" + sid)
