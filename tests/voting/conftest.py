import sys
from pathlib import Path

import pytest

from wechat_hall import demo
from wechat_hall.extensions import db

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "accounts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from account_helpers import easy_captcha  # noqa: E402,F401


@pytest.fixture
def registry(app):
    """The demo register (investors, 一码通, accounts) and the nominee institutions."""
    with app.app_context():
        demo.registry.seed()
        demo.voting._seed_nominees()
        db.session.commit()
    return app
