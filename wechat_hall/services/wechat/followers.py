"""Who follows the account, and when they last talked to it (P-3).

Every write is one upsert on ``openid``, so two first messages of a new user arriving
together cannot collide on the unique key. Activity (``touch``) is written at most once
a minute per user: it runs for every push, and the 48-hour customer-service window it
feeds does not need finer time than that.
"""
from sqlalchemy.dialects import postgresql, sqlite

from models import Follower
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.redis_store import get_redis

TOUCH_EVERY = 60  # seconds


def _upsert(openid, on_insert, on_update):
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(Follower.__table__).values(openid=openid, created_at=clock.utcnow(),
                                             **{**on_insert, **on_update})
    db.session.execute(stmt.on_conflict_do_update(index_elements=["openid"], set_=on_update))


def subscribe(openid):
    now = clock.utcnow()
    _upsert(openid, {}, {"subscribed": True, "subscribed_at": now, "last_message_at": now})


def unsubscribe(openid):
    _upsert(openid, {}, {"subscribed": False, "unsubscribed_at": clock.utcnow()})


def touch(openid):
    """A message or menu tap: opens WeChat's 48-hour customer-service window."""
    try:
        if not get_redis().set(f"follower:seen:{openid}", 1, nx=True, ex=TOUCH_EVERY):
            return  # written less than a minute ago
    except Exception:  # Redis down: write every time rather than never
        pass
    # A message proves they follow, even if they followed before the hall recorded it.
    _upsert(openid, {"subscribed": True}, {"last_message_at": clock.utcnow()})


def get(openid):
    return db.session.execute(db.select(Follower).filter_by(openid=openid)).scalar_one_or_none()
