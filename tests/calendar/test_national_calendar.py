"""The national calendar for 2026 (chinese-calendar) and 2027 (not announced as we write:
the law through python-holidays, provisional days around the holidays), an imported
notice taking over, and trading days following it."""
from datetime import date

import pytest

from wechat_hall.extensions import db
from wechat_hall.services.calendar import national, notices, statutory
from wechat_hall.services.calendar.national import LAW, NOTICE, PACKAGE, WEEKEND_RULE
from wechat_hall.services.queries import trading_days

from tests.calendar.notice_files import NOTICE_2027


@pytest.mark.parametrize("day, reason", [
    (date(2026, 1, 1), "元旦"), (date(2026, 2, 16), "春节"), (date(2026, 2, 23), "春节"),
    (date(2026, 4, 6), "清明节"), (date(2026, 5, 5), "劳动节"), (date(2026, 6, 19), "端午节"),
    (date(2026, 9, 25), "中秋节"), (date(2026, 10, 7), "国庆节")])
def test_2026_holidays_come_from_the_announced_schedule(day, reason):
    status = national.national_status(day)
    assert (status.open, status.source, status.reason, status.provisional) == \
        (False, PACKAGE, reason, False)
    assert status.holiday and not trading_days.is_trading_day(day)


@pytest.mark.parametrize("day", [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
                                 date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10)])
def test_2026_weekends_worked_are_open_but_no_trading_days(day):
    status = national.national_status(day)
    assert status.open and status.source == PACKAGE and status.reason == "调休上班"
    assert not trading_days.is_trading_day(day)  # the exchanges never open on a weekend


@pytest.mark.parametrize("day, reason", [
    (date(2027, 1, 1), "元旦"), (date(2027, 2, 5), "春节"), (date(2027, 2, 8), "春节"),
    (date(2027, 4, 5), "清明节"), (date(2027, 5, 1), "劳动节"), (date(2027, 5, 2), "劳动节"),
    (date(2027, 6, 9), "端午节"), (date(2027, 9, 15), "中秋节"), (date(2027, 10, 3), "国庆节")])
def test_2027_statutory_days_follow_the_law(day, reason):
    """2024 revision: 元旦 1, 春节 4 (除夕 to 初三), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3."""
    status = national.national_status(day)
    assert (status.open, status.source, status.reason, status.provisional) == \
        (False, LAW, reason, False)
    assert not trading_days.is_trading_day(day)


def test_the_law_gives_each_holiday_its_days():
    days = statutory.statutory_days(2027)
    counts = {}
    for name in days.values():
        counts[name] = counts.get(name, 0) + 1
    assert counts == {"元旦": 1, "春节": 4, "清明节": 1, "劳动节": 2, "端午节": 1,
                      "中秋节": 1, "国庆节": 3}
    assert min(d for d, n in days.items() if n == "春节") == date(2027, 2, 5)  # 除夕


def test_2027_make_up_days_off_are_closed_but_provisional():
    """春节 2027 takes a Saturday and a Sunday (2-6, 2-7): the law says they are made up
    on working days, the notice will say which; the library predicts the next ones."""
    for day, reason in ((date(2027, 2, 9), "春节补假"), (date(2027, 2, 10), "春节补假"),
                        (date(2027, 5, 3), "劳动节补假"), (date(2027, 10, 4), "国庆节补假")):
        status = national.national_status(day)
        assert (status.open, status.source, status.reason, status.provisional) == \
            (False, LAW, reason, True), day
        assert not trading_days.is_trading_day(day)


def test_days_around_a_2027_holiday_are_provisional_and_the_rest_are_not():
    saturday = national.national_status(date(2027, 2, 20))   # may become a workday (调休)
    assert (saturday.open, saturday.source, saturday.provisional) == (False, WEEKEND_RULE, True)
    weekday = national.national_status(date(2027, 2, 11))    # may become a day off
    assert (weekday.open, weekday.provisional) == (True, True)
    assert trading_days.is_trading_day(date(2027, 2, 11))
    far = national.national_status(date(2027, 3, 10))
    assert (far.open, far.source, far.provisional) == (True, WEEKEND_RULE, False)


def test_an_imported_notice_decides_its_year(app):
    with app.app_context():
        notices.replace(notices.parse(NOTICE_2027.encode()), "2027.csv")
        db.session.commit()
    with app.app_context():
        worked = national.national_status(date(2027, 2, 20))
        assert (worked.open, worked.source, worked.reason, worked.provisional) == \
            (True, NOTICE, "春节调休上班", False)
        off = national.national_status(date(2027, 2, 11))
        assert (off.open, off.source, off.reason) == (False, NOTICE, "春节")
        assert not trading_days.is_trading_day(date(2027, 2, 11))
        assert not trading_days.is_trading_day(date(2027, 2, 20))  # a Saturday all the same
        # The library's guess (5-3, 5-4 off) is set aside for the notice's (5-1 to 5-5);
        # a day the notice does not list is decided by the weekend rule, certain now.
        plain = national.national_status(date(2027, 2, 17))
        assert (plain.open, plain.source, plain.provisional) == (True, WEEKEND_RULE, False)
        assert trading_days.previous_trading_day(date(2027, 2, 14)) == date(2027, 2, 4)
        assert list(trading_days.trading_days(date(2027, 9, 30), date(2027, 10, 11))) == [
            date(2027, 9, 30), date(2027, 10, 8), date(2027, 10, 11)]


def test_trading_days_on_2027_holidays_without_a_notice():
    assert trading_days.previous_trading_day(date(2027, 1, 1)) == date(2026, 12, 31)
    assert trading_days.previous_trading_day(date(2027, 2, 10)) == date(2027, 2, 4)
    assert list(trading_days.trading_days(date(2027, 9, 30), date(2027, 10, 8))) == [
        date(2027, 9, 30), date(2027, 10, 6), date(2027, 10, 7), date(2027, 10, 8)]
