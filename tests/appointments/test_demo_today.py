"""`flask demo today` (run by `make run`): a booking for today the kiosk accepts, once."""
from wechat_hall import clock
from wechat_hall.demo import today
from wechat_hall.extensions import db

from tests.appointments.apt_helpers import appointments
from tests.appointments.queue_helpers import Kiosk


def test_todays_demo_booking_is_made_once_and_the_kiosk_checks_it_in(hall_app):
    runner = hall_app.test_cli_runner()
    first = runner.invoke(args=["demo", "today"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["demo", "today"])
    assert again.output.replace("未取号", "") == first.output.replace("未取号", "")
    [booking] = appointments(hall_app)
    # 10:00 on Monday 2026-11-23: the slot now running.
    assert (booking.day.isoformat(), booking.slot_label, booking.status) == \
        ("2026-11-23", "09:30:00~10:29:59", "booked")
    assert f"取号机演示：今日 2026-11-23 上海业务受理大厅 09:30:00~10:29:59 质押业务 预约码 " \
           f"{booking.code}（未取号）" in first.output
    kiosk = Kiosk(hall_app)
    label, _, _ = kiosk.ticket(kiosk.scan(booking.code))
    assert label == "A001" and appointments(hall_app)[0].status == "checked_in"
    assert "（已取号）" in runner.invoke(args=["demo", "today"]).output
    with hall_app.app_context():  # the seeder, as `flask demo seed` runs it, adds none either
        today.seed()
        db.session.commit()
    assert len(appointments(hall_app)) == 1


def test_after_the_days_last_slot_there_is_none_and_it_says_so(hall_app):
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 23, 16, 0)
    out = hall_app.test_cli_runner().invoke(args=["demo", "today"]).output
    assert "今日上海大厅的预约时段已结束，未生成今日演示预约；取号机仍可领取普通号" in out
    assert appointments(hall_app) == []


def test_without_the_demo_data_it_asks_for_it(make_app):
    app = make_app()
    out = app.test_cli_runner().invoke(args=["demo", "today"]).output
    assert "尚未加载演示数据，请先运行 flask demo seed。" in out
