import pytest

from tests.issuers.ledger_world import NOW


@pytest.fixture
def app(make_app):
    """The hall on a frozen clock: 16:00 in Shanghai on Tuesday 2026-11-24."""
    return make_app(CLOCK_NOW=NOW)
