"""Bad input at the edge (issue 13 item 8): control characters refused with a Chinese 400
before any view or the database sees them, bodies over the endpoint's limit refused with a
Chinese 413, back-office list arguments kept in range. On PostgreSQL each NUL below was a
500 (psycopg2: "A string literal cannot contain NUL")."""
import io
import json

import pytest

from models import Appointment
from tests import seeding
from tests.appointments.apt_helpers import Person
from tests.appointments.queue_helpers import Kiosk
from tests.staff.staff_helpers import StaffBrowser
from tests.test_no_500 import _as_wechat_user, _csrf_token
from wechat_hall.extensions import db

REFUSED = "提交的内容含有无法识别的控制字符"
DAY = "2026-12-03"


@pytest.fixture
def demo(app):
    return seeding.load(app, "demo")


@pytest.fixture
def investor(demo):
    client = demo.test_client()
    _as_wechat_user(demo, client)
    return client


@pytest.fixture
def admin(demo):
    client = demo.test_client()
    assert StaffBrowser(client).login("admin", "Admin@2026").status_code == 302
    return client


def _refused(resp):
    assert resp.status_code == 400, resp.status_code
    assert REFUSED in resp.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "/h5/queue/display/S%00H", "/h5/appointments/notice?office=%00",
    "/h5/appointments/apply?office=S%00H", f"/h5/appointments/slots.json?office=S%00H&day={DAY}",
    "/h5/service?q=%00", "/h5/appointments/apply?office=SH&x%00=1", "/h5/queue/display/S%1BH",
    "/h5/service?q=a%7Fb"])
def test_control_characters_in_path_and_query_are_refused(investor, url):
    _refused(investor.get(url))


def test_the_same_at_the_back_office(admin):
    _refused(admin.get("/admin/office/?search=%00"))
    assert admin.get("/admin/office/?search=上海").status_code == 200


def test_tab_and_line_breaks_are_ordinary_text(investor):
    assert investor.get("/h5/service?q=预约%09规则%0D%0A").status_code == 200


def test_a_nul_in_a_form_field_writes_nothing(app):
    seeding.load(app, "halls")
    person = Person(app, "o_guard_person_0001")
    resp = person.apply(agent_name="张\x00三")
    _refused(resp)
    assert "请输入经办人姓名" not in resp.get_data(as_text=True)  # no view saw it
    with person.client.session_transaction() as sess:
        assert not any(key.startswith("apt") for key in sess)
    with app.app_context():
        assert db.session.query(Appointment).count() == 0


def test_a_nul_in_a_file_name_or_json_is_refused(app, investor):
    token = _csrf_token(app, investor)
    resp = investor.post("/h5/appointments/apply?office=SH", data={
        "csrf_token": token, "photo": (io.BytesIO(b"x"), "a\x00.png")},
        content_type="multipart/form-data")
    _refused(resp)
    for body in ('{"openid": "o\\u0000x"}', '{"o\\u0000": 1}', '{"a": ["\\ud800"]}'):
        resp = investor.post("/sim/users", data=body, content_type="application/json",
                             headers={"X-CSRFToken": token})
        assert resp.status_code == 400, body
        assert json.loads(resp.get_data())["message"].startswith("提交的内容含有")


def test_json_nested_too_deep_is_a_bad_request(app, investor):
    resp = investor.post("/sim/users", data="[" * 100_000, content_type="application/json",
                         headers={"X-CSRFToken": _csrf_token(app, investor)})
    assert resp.status_code == 400


def test_back_office_lists_keep_their_arguments_in_range(admin):
    for view in ("csrule", "office", "staffuser", "votemeeting"):
        for query in ("page=-5", "page=99999999999999999999", "page=abc", "sort=-3",
                      "sort=999999999999&desc=1", "page_size=-1"):
            resp = admin.get(f"/admin/{view}/?{query}")
            assert resp.status_code == 200, (view, query)
            assert "系统繁忙" not in resp.get_data(as_text=True)


# -- sizes -----------------------------------------------------------------------------

def _too_large(resp, limit):
    assert resp.status_code == 413, resp.status_code
    assert f"超过了本页面允许的大小（{limit}）" in resp.get_data(as_text=True)


def test_a_wechat_push_is_a_few_kilobytes(client):
    _too_large(client.post("/wechat?signature=x&timestamp=1&nonce=1", data=b"<xml>" * 7000,
                           content_type="text/xml"), "32 KB")


def test_a_declared_50_mb_push_is_refused_before_it_is_read(client):
    body = io.BytesIO(b"<xml></xml>")
    resp = client.post("/wechat", input_stream=body, content_type="text/xml",
                       environ_overrides={"CONTENT_LENGTH": str(50 * 1024 * 1024)})
    _too_large(resp, "32 KB")
    assert body.tell() == 0


def test_a_chunked_push_stops_at_the_limit(client):
    def chunked(body):
        return client.post("/wechat?signature=x&timestamp=1&nonce=1", input_stream=body,
                           content_type="text/xml",
                           environ_overrides={"wsgi.input_terminated": True,
                                              "HTTP_TRANSFER_ENCODING": "chunked"})
    body = io.BytesIO(b"<xml>" + b"a" * (1024 * 1024) + b"</xml>")
    _too_large(chunked(body), "32 KB")
    assert body.tell() == 32 * 1024 + 1
    assert chunked(io.BytesIO(b"<xml></xml>")).status_code == 403  # read, then refused


def test_an_ordinary_form_is_small(app, client):
    token = _csrf_token(app, client)
    _too_large(client.post("/h5/account/login", data={"csrf_token": token,
                                                      "phone": "1" * 300_000}), "256 KB")


def test_upload_endpoints_take_files_to_their_own_limit(app):
    seeding.load(app, "halls")
    kiosk = Kiosk(app)
    photo = b"\xff\xd8 not a photo " + b"0" * (2 * 1024 * 1024)
    assert "无法读取该图片" in kiosk.refusal(kiosk.upload(photo, "big.jpg"))  # the view's word
    _too_large(kiosk.upload(b"0" * (13 * 1024 * 1024), "huge.jpg"), "12 MB")


def test_a_path_id_too_large_for_the_database_is_a_404(app, client):
    """``<int:…>`` is bounded by BIGINT: no overflow in SQLite or PostgreSQL."""
    assert client.get("/h5/appointments/99999999999999999999").status_code == 404
    assert client.post("/staff/cs/c/" + "1" * 40 + "/resolve").status_code in (400, 403, 404)
