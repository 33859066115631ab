import pytest

from wechat_hall import demo
from wechat_hall.extensions import db

from tests.queries.query_helpers import LIU_YMT, WANG_YMT, activated_user, sign_in


@pytest.fixture
def registry(app):
    """The demo register and a year of demo securities history."""
    with app.app_context():
        demo.registry.seed()
        demo.securities.seed()
        db.session.commit()
    return app


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
