import pytest

from wechat_hall import demo
from wechat_hall.extensions import db

from tests.accounts.account_helpers import easy_captcha  # noqa: F401



@pytest.fixture
def registry(app):
    """The demo register (investors, 一码通, accounts, brokers, bank cards)."""
    with app.app_context():
        demo.registry.seed()
        db.session.commit()
    return app
