import pytest

from tests import seeding
from tests.queries.query_helpers import LIU_YMT, WANG_YMT, activated_user, sign_in


@pytest.fixture
def registry(app):
    """The demo register and a year of demo securities history."""
    return seeding.load(app, "history")


@pytest.fixture
def wang(app, registry):
    """王安, activated, signed in on the web hall."""
    client = app.test_client()
    sign_in(client, activated_user(app, "13900000024", WANG_YMT))
    return client


@pytest.fixture
def liu(app, registry):
    client = app.test_client()
    sign_in(client, activated_user(app, "13900000319", LIU_YMT))
    return client
