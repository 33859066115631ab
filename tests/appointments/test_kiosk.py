"""取号机 (APT-7): scan or type the 预约码, or upload a photo of the QR → 已取号 and a
ticket; walk-in tickets; refusals that change nothing."""
import re

from models import Ticket
from wechat_hall import clock
from wechat_hall.extensions import db

from tests.appointments.apt_helpers import Person, appointments, person_id
from tests.appointments.queue_helpers import Kiosk, office_id


def _book(app, n=0, **kw):
    person = Person(app, f"o_kiosk_person_{n:03d}")
    assert person.book(id_number=person_id(n), **kw).status_code == 302
    return person, appointments(app)[-1]


def _on_the_day(app, hour=8, minute=40):
    app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, hour, minute)


def test_scanning_the_code_checks_in_and_prints_a_numbered_ticket(hall_app):
    person, appointment = _book(hall_app)
    _on_the_day(hall_app)
    kiosk = Kiosk(hall_app)
    label, code, html = kiosk.ticket(kiosk.scan(appointment.code + "\r\n"))
    assert label == "A001" and len(code) == 10 and code.isdigit()
    for text in ("上海业务受理大厅", "质押业务（预约）", "排队码", "前面等待", "打印号单", "排号进度查询"):
        assert text in html
    assert appointments(hall_app)[0].status == "checked_in"
    mine = person.client.get("/h5/appointments/mine?by=created").get_data(as_text=True)
    assert "已取号" in mine


def test_a_second_scan_reprints_the_same_ticket(hall_app):
    _, appointment = _book(hall_app)
    _on_the_day(hall_app)
    kiosk = Kiosk(hall_app)
    first = kiosk.ticket(kiosk.scan(appointment.code))
    second = kiosk.ticket(kiosk.scan(appointment.code))
    assert first[:2] == second[:2]
    assert "原排队号单（补打）" in second[2]
    with hall_app.app_context():
        assert db.session.execute(db.select(db.func.count(Ticket.id))).scalar() == 1


def test_a_photo_of_the_qr_is_decoded(hall_app):
    person, appointment = _book(hall_app)
    _on_the_day(hall_app)
    png = person.client.get(f"/h5/appointments/{appointment.id}/qr.png").data
    kiosk = Kiosk(hall_app)
    label, _, _ = kiosk.ticket(kiosk.upload(png))
    assert label == "A001"


def test_a_photo_without_a_qr_or_not_an_image_gets_a_message(hall_app):
    kiosk = Kiosk(hall_app)
    from PIL import Image
    import io
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, format="PNG")
    assert "未在照片中识别到二维码" in kiosk.refusal(kiosk.upload(blank.getvalue()))
    assert "无法读取该图片" in kiosk.refusal(kiosk.upload(b"not an image", "x.jpg"))


def test_refusals_change_nothing(hall_app):
    _, appointment = _book(hall_app)
    kiosk = Kiosk(hall_app)
    # The day before.
    assert "请于当日到厅取号" in kiosk.refusal(kiosk.scan(appointment.code))
    _on_the_day(hall_app)
    assert "未找到该预约码" in kiosk.refusal(kiosk.scan("0000000000"))
    assert "请扫描预约二维码或输入10位预约码" in kiosk.refusal(kiosk.scan("abc"))
    beijing = Kiosk(hall_app, "kiosk_bj", office="BJ")
    assert "办理地区为上海" in beijing.refusal(beijing.scan(appointment.code))
    assert appointments(hall_app)[0].status == "booked"
    with hall_app.app_context():
        assert db.session.execute(db.select(db.func.count(Ticket.id))).scalar() == 0


def test_after_the_slot_the_appointment_has_expired(hall_app):
    _, appointment = _book(hall_app)
    _on_the_day(hall_app, 9, 30)
    kiosk = Kiosk(hall_app)
    assert "预约已过期" in kiosk.refusal(kiosk.scan(appointment.code))
    assert appointments(hall_app)[0].status == "expired"
    assert "该预约已过期" in kiosk.refusal(kiosk.scan(appointment.code))


def test_a_cancelled_appointment_cannot_check_in(hall_app):
    person, appointment = _book(hall_app)
    from tests.appointments.apt_helpers import csrf_from
    csrf = csrf_from(person.client.get("/h5/queue").get_data(as_text=True))
    person.client.post(f"/h5/appointments/{appointment.id}/cancel", data={"csrf_token": csrf})
    _on_the_day(hall_app)
    kiosk = Kiosk(hall_app)
    assert "该预约已取消" in kiosk.refusal(kiosk.scan(appointment.code))


def test_walk_in_tickets_number_per_business_type(hall_app):
    _on_the_day(hall_app)
    kiosk = Kiosk(hall_app)
    assert kiosk.ticket(kiosk.walk_in("QUERY"))[0] == "E001"
    assert kiosk.ticket(kiosk.walk_in("QUERY"))[0] == "E002"
    assert kiosk.ticket(kiosk.walk_in("PLEDGE"))[0] == "A001"
    _, bj_business = None, None
    from tests.appointments.apt_helpers import ids
    _, bj_business, _ = ids(hall_app, "BJ", "QUERY")
    resp = kiosk.client.post("/staff/kiosk/walk-in", data={"csrf_token": kiosk.csrf(),
                                                          "business_type_id": str(bj_business)})
    assert "请选择本大厅办理的业务类型" in kiosk.refusal(resp)
    resp = kiosk.client.post("/staff/kiosk/walk-in", data={"csrf_token": kiosk.csrf(),
                                                          "business_type_id": "x"})
    assert "请选择业务类型" in kiosk.refusal(resp)


def test_the_next_day_numbers_start_again(hall_app):
    _on_the_day(hall_app)
    kiosk = Kiosk(hall_app)
    kiosk.walk_in()
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 25, 9, 0)
    assert kiosk.ticket(kiosk.walk_in())[0] == "E001"


def test_only_kiosk_staff_and_admins_use_the_kiosk(hall_app):
    from tests.staff.staff_helpers import PASSWORDS, StaffBrowser, make_staff
    make_staff(hall_app, "counter", "counter", office_id=office_id(hall_app))
    client = hall_app.test_client()
    StaffBrowser(client).login("counter", PASSWORDS["counter"])
    assert client.get("/staff/kiosk").status_code == 403
    assert hall_app.test_client().get("/staff/kiosk").status_code == 302  # to the login
    kiosk = Kiosk(hall_app)
    ticket_html = kiosk.walk_in()
    ticket_id = int(re.search(r"/ticket/(\d+)", ticket_html.location).group(1))
    beijing = Kiosk(hall_app, "kiosk_bj", office="BJ")
    assert beijing.client.get(f"/staff/kiosk/ticket/{ticket_id}").status_code == 404
    assert kiosk.client.post("/staff/kiosk/check-in", data={"code": "1"}).status_code == 400
