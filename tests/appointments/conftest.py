"""Fixtures of the appointment and hall-queue tests: the demo halls, a frozen clock."""
import pytest

from tests.appointments.apt_helpers import MONDAY_10AM, seed_halls


@pytest.fixture
def hall_app(make_app):
    """The demo halls, counters and business types; the clock at Mon 2026-11-23 10:00."""
    app = make_app(CLOCK_NOW=MONDAY_10AM)
    seed_halls(app)
    return app


@pytest.fixture
def person(hall_app):
    """A WeChat user's browser (the openid in its session, as after OAuth)."""
    from tests.appointments.apt_helpers import Person
    return Person(hall_app, "o_apt_person_0001")
