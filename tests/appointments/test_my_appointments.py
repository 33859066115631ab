"""我的预约 (APT-5): search, details, cancel with its deadline, expiry, the reminder."""
import re

from models import Appointment, OutboxJob, SimOutbound, SimUser
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs.worker import run_pending
from wechat_hall.services.appointments import reminders

from tests.appointments.apt_helpers import TUESDAY, Person, appointments, ids, slot_row


def _booked(person, **kw):
    resp = person.book(**kw)
    assert resp.status_code == 302
    return int(re.search(r"/h5/appointments/(\d+)", resp.location).group(1))


def test_mine_lists_by_booking_time_and_by_visit_date_with_masked_ids(person):
    _booked(person, items="2")
    page = person.client.get("/h5/appointments/mine?by=created&span=1m").get_data(as_text=True)
    [row] = appointments(person.app)
    for text in ("110****1233", "质押业务", "2", row.code, "2026-11-24 08:30", "2026-11-23", "未取号",
                 "详情", "取消预约", "按业务预约时间查询", "按业务办理时间查询", "一个月内", "三个月内"):
        assert text in page, text
    assert row.id_number not in page
    by_day = person.client.get("/h5/appointments/mine?by=day&start=2026-11-24&end=2026-11-24")
    assert row.code in by_day.get_data(as_text=True)
    none = person.client.get("/h5/appointments/mine?by=day&start=2026-11-25&end=2026-12-01")
    assert "该时间段内没有预约记录" in none.get_data(as_text=True)


def test_bad_ranges_get_a_message(person):
    for query, message in [("start=2026-11-20&end=2026-11-01", "结束时间不能早于起始时间"),
                           ("start=2026-01-01&end=2026-11-01", "不能超过三个月"),
                           ("start=garbage&end=2026-11-01", "请选择起始时间和结束时间")]:
        page = person.client.get(f"/h5/appointments/mine?by=created&{query}")
        assert page.status_code == 200 and message in page.get_data(as_text=True)


def test_someone_elses_appointment_is_not_found_anywhere(person, hall_app):
    appointment_id = _booked(person)
    other = Person(hall_app, "o_nosy_neighbour_1")
    assert other.client.get(f"/h5/appointments/{appointment_id}").status_code == 404
    assert other.client.get(f"/h5/appointments/{appointment_id}/qr.png").status_code == 404
    resp = other.client.post(f"/h5/appointments/{appointment_id}/cancel",
                             data={"csrf_token": other.csrf()})
    assert resp.status_code == 404
    assert appointments(hall_app)[0].status == "booked"
    assert appointments(hall_app)[0].code not in other.client.get(
        "/h5/appointments/mine?by=created").get_data(as_text=True)


def test_a_signed_in_hall_user_sees_their_bookings_from_another_browser(hall_app):
    from models import HallUser
    with hall_app.app_context():
        user = HallUser(phone="18912340001", password_hash="x")
        db.session.add(user)
        db.session.commit()
        user_id, epoch = user.id, user.session_epoch
    phone = Person(hall_app, "o_user_with_account")
    with phone.client.session_transaction() as session:
        session["hall_user_id"], session["hall_user_epoch"] = user_id, epoch
    appointment_id = _booked(phone)
    assert appointments(hall_app)[0].hall_user_id == user_id
    web = hall_app.test_client()  # the web hall: signed in, no openid
    with web.session_transaction() as session:
        session["hall_user_id"], session["hall_user_epoch"] = user_id, epoch
    assert web.get(f"/h5/appointments/{appointment_id}").status_code == 200


def test_cancel_gives_the_place_back_once_and_keeps_the_row(person, hall_app):
    appointment_id = _booked(person)
    _, _, template_id = ids(hall_app)
    assert slot_row(hall_app, template_id, TUESDAY) == (10, 1)
    csrf = person.csrf()
    first = person.client.post(f"/h5/appointments/{appointment_id}/cancel", data={"csrf_token": csrf})
    second = person.client.post(f"/h5/appointments/{appointment_id}/cancel", data={"csrf_token": csrf})
    assert first.status_code == second.status_code == 302
    page = person.client.get(second.location).get_data(as_text=True)
    assert "该预约已取消" in page and "已取消" in page
    assert slot_row(hall_app, template_id, TUESDAY) == (10, 0)
    [row] = appointments(hall_app)
    assert row.status == "cancelled" and row.cancelled_at is not None
    # Cancelled frees the person to book again that day.
    assert person.book(start="13:00").status_code == 302
    assert [a.status for a in appointments(hall_app)] == ["cancelled", "booked"]


def test_cancel_is_refused_once_the_slot_has_started(person, hall_app):
    appointment_id = _booked(person)
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 8, 29, 59)
    page = person.client.get(f"/h5/appointments/{appointment_id}").get_data(as_text=True)
    assert "2026-11-24 08:30 前）可取消" in page
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 8, 30)
    assert "取消预约</button>" not in person.client.get(
        f"/h5/appointments/{appointment_id}").get_data(as_text=True)
    resp = person.client.post(f"/h5/appointments/{appointment_id}/cancel",
                              data={"csrf_token": _any_csrf(person)})
    assert "预约时段已开始，不能再取消" in person.client.get(resp.location).get_data(as_text=True)
    assert appointments(hall_app)[0].status == "booked"


def _any_csrf(person):
    from tests.appointments.apt_helpers import csrf_from
    return csrf_from(person.client.get("/h5/queue").get_data(as_text=True))


def test_no_shows_expire_after_their_slot_and_are_kept(person, hall_app):
    _booked(person)
    _booked(Person(hall_app, "o_second_person_01"), start="14:00", id_number="110101198001010010")
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 9, 29, 58)
    with hall_app.app_context():
        assert reminders.expire_no_shows() == 0
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 9, 30)
    with hall_app.app_context():
        assert reminders.expire_no_shows() == 1
        assert reminders.expire_no_shows() == 0
    assert [a.status for a in appointments(hall_app)] == ["expired", "booked"]
    page = person.client.get("/h5/appointments/mine?by=created").get_data(as_text=True)
    assert "已过期" in page


def test_the_day_before_reminder_is_sent_once_as_a_template_message(person, hall_app):
    with hall_app.app_context():
        db.session.add(SimUser(openid=person.openid, label="预约用户", subscribed=True))
        db.session.commit()
    _booked(person)
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 23, 15, 59)
    with hall_app.app_context():
        assert reminders.remind_day_before() == 0  # not before 16:00
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 23, 16, 0)
    with hall_app.app_context():
        assert reminders.remind_day_before() == 1
        assert reminders.remind_day_before() == 0
    run_pending(hall_app)
    with hall_app.app_context():
        sent = db.session.execute(db.select(SimOutbound).filter_by(
            openid=person.openid, kind="template")).scalars().all()
        assert len(sent) == 1 and sent[0].errcode == 0, [(s.errcode, s.errmsg) for s in sent]
        data = sent[0].payload["data"]
        assert data["thing1"]["value"] == "质押业务"
        assert data["time2"]["value"] == "2026-11-24 08:30"
        assert data["character_string3"]["value"] == appointments(hall_app)[0].code
        assert db.session.execute(db.select(db.func.count(OutboxJob.id)).filter_by(
            func="wechat.send_template")).scalar() == 1
        assert db.session.execute(db.select(Appointment.reminder_sent_at)).scalar() is not None


def test_default_ranges_pass_their_own_rule(person):
    """办理时间 + 三个月内 opened by a link without dates (issue 16): its default range is
    accepted and reaches the visit booked ahead."""
    _booked(person, items="2")
    [row] = appointments(person.app)
    for by in ("created", "day"):
        for span in ("1m", "3m"):
            page = person.client.get(f"/h5/appointments/mine?by={by}&span={span}"
                                     ).get_data(as_text=True)
            assert "不能超过三个月" not in page and row.code in page, (by, span)
