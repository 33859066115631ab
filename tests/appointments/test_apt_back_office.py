"""The back office for appointments: holidays and make-up days, per-date places (号源),
counters, and template capacity changes reaching the days already prepared."""
from datetime import date

import pytest

from models import BookingSlot, CalendarDay, HallCounter
from wechat_hall.extensions import db
from wechat_hall.services.appointments import slots

from tests.appointments.apt_helpers import TUESDAY, Person, ids, slot_row
from tests.appointments.queue_helpers import office_id
from tests.staff.staff_helpers import PASSWORDS, StaffBrowser, make_staff


@pytest.fixture
def admin(hall_app):
    make_staff(hall_app, "admin", "admin")
    browser = StaffBrowser(hall_app.test_client())
    assert browser.login("admin", PASSWORDS["admin"]).status_code == 302
    return browser


def test_pages_are_listed_and_open(admin):
    home = admin.client.get("/admin/").get_data(as_text=True)
    for label in ("节假日与调休", "号源", "柜台窗口"):
        assert label in home
    for path in ("/admin/calendarday/", "/admin/bookingslot/", "/admin/hallcounter/",
                 "/admin/calendarday/new/", "/admin/hallcounter/new/"):
        assert admin.client.get(path).status_code == 200, path


def test_an_operator_holiday_closes_the_day(hall_app, admin):
    resp = admin.submit("/admin/calendarday/new/", {"day": "2026-11-24", "kind": "holiday",
                                                    "note": "临时闭厅"})
    assert resp.status_code == 302
    person = Person(hall_app, "o_bo_person_00001")
    from tests.appointments.apt_helpers import field_errors
    assert "临时闭厅" in field_errors(person.apply())["day"]
    again = admin.submit("/admin/calendarday/new/", {"day": "2026-11-24", "kind": "workday"})
    assert again.status_code == 200 and "保存失败" in again.get_data(as_text=True)
    with hall_app.app_context():
        assert db.session.query(CalendarDay).count() == 1


def test_the_capacity_of_one_date_can_change_but_not_below_the_bookings(hall_app, admin):
    person = Person(hall_app, "o_bo_person_00002")
    assert person.book().status_code == 302
    _, _, template_id = ids(hall_app)
    with hall_app.app_context():
        slot_id = db.session.execute(db.select(BookingSlot.id).filter_by(
            template_id=template_id, day=TUESDAY)).scalar_one()
    resp = admin.submit(f"/admin/bookingslot/edit/?id={slot_id}", {"capacity": "0"})
    assert "名额不能少于已预约人数（1）" in resp.get_data(as_text=True)
    assert slot_row(hall_app, template_id, TUESDAY) == (10, 1)
    resp = admin.submit(f"/admin/bookingslot/edit/?id={slot_id}", {"capacity": "3"})
    assert resp.status_code == 302
    assert slot_row(hall_app, template_id, TUESDAY) == (3, 1)


def test_a_template_capacity_change_reaches_the_prepared_days(hall_app, admin):
    _, _, template_id = ids(hall_app)
    with hall_app.app_context():
        slots.prepare_window()
    assert slot_row(hall_app, template_id, TUESDAY) == (10, 0)
    resp = admin.submit(f"/admin/slottemplate/edit/?id={template_id}", {
        "office": str(office_id(hall_app)), "start_time": "08:30:00", "end_time": "09:29:59",
        "capacity": "4", "active": "y"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[-500:]
    assert slot_row(hall_app, template_id, TUESDAY) == (4, 0)


def test_prepare_window_makes_rows_for_open_days_only(hall_app):
    _, _, template_id = ids(hall_app)
    with hall_app.app_context():
        slots.prepare_window()
        days = set(db.session.execute(db.select(BookingSlot.day).filter_by(
            template_id=template_id)).scalars())
    assert TUESDAY in days and date(2026, 11, 28) not in days  # a Saturday


def test_a_counter_cannot_serve_another_offices_business(hall_app, admin):
    _, bj_business, _ = ids(hall_app, "BJ")
    _, sh_business, _ = ids(hall_app, "SH")
    resp = admin.submit("/admin/hallcounter/new/", {
        "office": str(office_id(hall_app)), "name": "9号窗口",
        "business_types": [str(bj_business)], "sort_order": "9", "active": "y"})
    assert "只能选择本网点的业务类型" in resp.get_data(as_text=True)
    resp = admin.submit("/admin/hallcounter/new/", {
        "office": str(office_id(hall_app)), "name": "9号窗口",
        "business_types": [str(sh_business)], "sort_order": "9", "active": "y"})
    assert resp.status_code == 302
    with hall_app.app_context():
        counter = db.session.execute(db.select(HallCounter).filter_by(name="9号窗口")).scalar_one()
        assert [b.id for b in counter.business_types] == [sh_business]
