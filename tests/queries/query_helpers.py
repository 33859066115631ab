"""Helpers of the query tests: demo identities and a signed-in activated user."""
from models import HallUser, YmtAccount
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db

from tests.accounts.account_helpers import QUICK_HASH

WANG_YMT, LIU_YMT, ZHANG_YMT = "180312600024", "180108300319", "180278900271"
WANG_ID = "211103198603040003"


def activated_user(app, phone, ymt_number, activated=True):
    """A hall user bound to ``ymt_number`` (made in the database: the activation flows
    have their own tests)."""
    with app.app_context():
        ymt = db.session.execute(db.select(YmtAccount).filter_by(number=ymt_number)).scalar_one()
        user = HallUser(phone=phone, ymt_account=ymt, activated_at=utcnow() if activated else None)
        user.password_hash = QUICK_HASH  # the password Hall@2026x, hashed cheaply
        db.session.add(user)
        db.session.commit()
        return user.id


def sign_in(client, user_id):
    with client.session_transaction() as sess:
        sess["hall_user_id"] = user_id
        sess["hall_user_epoch"] = 0
    return client
