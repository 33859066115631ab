"""The booking window: 15:00 cutoff (frozen clock), holidays, make-up days, the
operator's table and the honest fallback where the package has no data (APT-2, APT-6)."""
from datetime import date

import pytest

from models import CalendarDay
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.appointments import calendar, slots

from tests.appointments.apt_helpers import Person, appointments, field_errors


@pytest.mark.parametrize("hour, minute, second, open_tomorrow", [
    (14, 59, 59, True), (15, 0, 0, False), (15, 1, 0, False)])
def test_the_15_00_cutoff_for_the_next_days_places(hall_app, hour, minute, second, open_tomorrow):
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 23, hour, minute, second)
    person = Person(hall_app, "o_cutoff_person_01")
    resp = person.apply(day="2026-11-24")
    if open_tomorrow:
        assert resp.status_code == 302
    else:
        assert "15:00停止预约次日的号源" in field_errors(resp)["day"]
    # The day after is open either way.
    assert Person(hall_app, "o_cutoff_person_02").apply(
        day="2026-11-25", id_number="110101198001010010").status_code == 302


def test_the_cutoff_is_checked_again_inside_the_booking_transaction(hall_app):
    """Form filled at 14:58, 提交 pressed at 15:00:30: refused, nothing written."""
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 23, 14, 58)
    person = Person(hall_app, "o_slow_person_0001")
    assert person.apply(day="2026-11-24").status_code == 302
    _, csrf, token = person.preview()
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 23, 15, 0, 30)
    resp = person.confirm(csrf, token)
    page = person.client.get(resp.location).get_data(as_text=True)
    assert "15:00停止预约次日的号源" in page
    assert appointments(hall_app) == []


def test_cutoff_uses_shanghai_time_not_utc(hall_app):
    # 07:30 UTC is 15:30 in Shanghai.
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 23, 15, 30)
    with hall_app.app_context():
        assert clock.utcnow().hour == 7
        assert slots.earliest_day() == date(2026, 11, 25)


def test_national_day_is_closed_and_the_make_up_saturday_open(hall_app):
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 9, 28, 10, 0)
    with hall_app.app_context():
        days = {d.day: d for d in slots.window()}
    assert not days[date(2026, 10, 1)].open and days[date(2026, 10, 1)].reason == "国庆节"
    assert days[date(2026, 10, 1)].source == calendar.PACKAGE
    assert days[date(2026, 10, 10)].open  # Saturday, 调休上班
    assert not days[date(2026, 10, 4)].open  # Sunday inside the holiday
    person = Person(hall_app, "o_holiday_person_1")
    assert "国庆节" in field_errors(person.apply(day="2026-10-01"))["day"]
    assert person.apply(day="2026-10-10").status_code == 302
    page = person.client.get("/h5/appointments/apply?office=SH&reset=1",
                             follow_redirects=True).get_data(as_text=True)
    assert '<option value="2026-10-01" disabled>2026-10-01 周四（国庆节）' in page
    assert '<option value="2026-10-10">2026-10-10 周六（调休上班）' in page


def test_beyond_the_package_the_law_closes_2027_holidays_and_the_page_says_so(hall_app):
    """From 2026-12-18 the window reaches 2027, which chinese-calendar 1.11 does not know:
    元旦 is closed by the law, the days around it are bookable but marked 待定."""
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 12, 28, 10, 0)
    with hall_app.app_context():
        status = calendar.day_status(date(2027, 1, 1))
        assert not status.open and status.source == calendar.LAW and status.reason == "元旦"
        assert not calendar.day_status(date(2027, 1, 2)).open
        assert calendar.day_status(date(2027, 1, 4)).provisional
    person = Person(hall_app, "o_fallback_person1")
    assert "元旦" in field_errors(person.apply(day="2027-01-01"))["day"]
    page = person.client.get("/h5/appointments/apply?office=SH&reset=1",
                             follow_redirects=True).get_data(as_text=True)
    assert '<option value="2027-01-01" disabled>2027-01-01 周五（元旦）' in page
    assert '<option value="2027-01-04">2027-01-04 周一（待定）' in page
    assert '<option value="2027-01-02" disabled>2027-01-02 周六（周末，待定）' in page
    assert '<option value="2026-12-30">2026-12-30 周三</option>' in page  # 2026 is announced
    assert "2027年节假日安排尚未公布：法定节假日按《全国年节及纪念日放假办法》休息" in page
    assert "标“待定”的日期临近节假日" in page
    assert person.apply(day="2027-01-04").status_code == 302  # provisional, still bookable


def test_the_operators_table_wins_over_the_package_and_the_weekend_rule(hall_app):
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 12, 28, 10, 0)
    with hall_app.app_context():
        db.session.add(CalendarDay(day=date(2027, 1, 1), kind="holiday", note="元旦"))
        db.session.add(CalendarDay(day=date(2027, 1, 9), kind="workday", note="调休上班"))
        db.session.add(CalendarDay(day=date(2026, 12, 30), kind="holiday", note="临时闭厅"))
        db.session.commit()
        assert calendar.day_status(date(2027, 1, 1)).source == calendar.OPERATOR
    person = Person(hall_app, "o_operator_person1")
    assert "元旦" in field_errors(person.apply(day="2027-01-01"))["day"]
    assert "临时闭厅" in field_errors(person.apply(day="2026-12-30"))["day"]
    assert person.apply(day="2027-01-09").status_code == 302


def test_the_window_length_is_configurable(make_app):
    from tests.appointments.apt_helpers import MONDAY_10AM, seed_halls
    app = make_app(CLOCK_NOW=MONDAY_10AM, APPOINTMENT_WINDOW_DAYS=3)
    seed_halls(app)
    person = Person(app, "o_window_person_01")
    assert "仅可预约3天内" in field_errors(person.apply(day="2026-11-27"))["day"]
    assert person.apply(day="2026-11-26").status_code == 302
