import pytest

from tests import seeding
from tests.accounts.account_helpers import easy_captcha  # noqa: F401


@pytest.fixture
def registry(app):
    """The demo register (investors, 一码通, accounts, brokers, bank cards)."""
    return seeding.load(app, "registry")
