"""Who follows the account, and when they last talked to it (P-3).

Follow and unfollow are written at once, each one upsert on ``openid``, so two first
pushes of a new user arriving together cannot collide on the unique key.

Activity (a message or a menu tap) is written at most once a minute per user: the
Redis marker ``follower:seen:<openid>`` (``SET NX EX 60``) is asked in the push's one
Redis round trip (:func:`activity_probe`). When it is new, the activity goes into this
process's :class:`ActivityBuffer`, and a thread of the process writes the buffer every
``FOLLOWER_FLUSH_SECONDS`` (1 s) as one multi-row upsert, so a new sender costs no
database round trip and no commit on the push's path (issue 15). Nothing of it lives
only in Redis: a Redis restart loses markers, which only means one more write. An entry
leaves the buffer when its write has committed (a failed write is retried at the next
flush), and the buffer is written when the process exits normally (gunicorn's graceful
stop); only a process killed outright loses its last second of activity, which the
user's next message (after the marker's minute) records again. With
``FOLLOWER_FLUSH_SECONDS`` = 0 the write happens at once, on the push's thread.
"""
import logging
import os
import threading
import time

from redis.exceptions import RedisError
from sqlalchemy.dialects import postgresql, sqlite

from models import Follower
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.redis_store import get_redis
from wechat_hall.services import exit_flush
from wechat_hall.services.redis_batch import Probe, failed

log = logging.getLogger(__name__)

TOUCH_EVERY = 60  # seconds


def _insert(dialect):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _upsert(openid, on_insert, on_update):
    insert = _insert(db.session.get_bind().dialect.name)
    stmt = insert(Follower.__table__).values(openid=openid, created_at=clock.utcnow(),
                                             **{**on_insert, **on_update})
    db.session.execute(stmt.on_conflict_do_update(index_elements=["openid"], set_=on_update))


def subscribe(openid):
    now = clock.utcnow()
    _upsert(openid, {}, {"subscribed": True, "subscribed_at": now, "last_message_at": now})


def unsubscribe(openid):
    _upsert(openid, {}, {"subscribed": False, "unsubscribed_at": clock.utcnow()})


def _seen_key(openid):
    return f"follower:seen:{openid}"


def activity_probe(openid):
    """The once-a-minute marker, asked along with the push's dedup claim; its answer
    records the activity (Redis down: record it anyway, rather than never)."""
    def take(replies):
        if failed(replies[0]) or replies[0]:
            record(openid)
    return Probe("follower.seen", [("SET", _seen_key(openid), 1, "NX", "EX", TOUCH_EVERY)],
                 take)


def touch(openid):
    """A message or menu tap outside a push's pipeline: the same rule in two steps."""
    try:
        first = get_redis().set(_seen_key(openid), 1, nx=True, ex=TOUCH_EVERY)
    except RedisError:  # Redis down: write every time rather than never
        first = True
    if first:
        record(openid)


def record(openid):
    """Opens WeChat's 48-hour customer-service window: remember ``openid`` was active now."""
    from flask import current_app
    app = current_app._get_current_object()
    if not app.config.get("FOLLOWER_FLUSH_SECONDS"):
        _write(db.engine, {openid: clock.utcnow()})
        return
    ActivityBuffer.of(app).add(openid, clock.utcnow())


def _write(bind, activity):
    """One upsert for all of ``activity`` ({openid: when}): a message proves they follow
    (even if they followed before the hall recorded it); the time only moves forward."""
    if not activity:
        return
    rows = [{"openid": o, "created_at": at, "subscribed": True, "last_message_at": at}
            for o, at in sorted(activity.items())]
    with bind.begin() as conn:  # its own transaction, whatever the handler does
        # One statement, compiled once per process and cached, run for all the rows
        # (batched into multi-row VALUES by SQLAlchemy's insertmanyvalues).
        conn.execute(_activity_statement(bind.dialect.name), rows)


_STATEMENTS = {}


def _activity_statement(dialect):
    if dialect not in _STATEMENTS:
        table = Follower.__table__
        stmt = _insert(dialect)(table)
        _STATEMENTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["openid"], set_={"last_message_at": stmt.excluded.last_message_at},
            where=(table.c.last_message_at.is_(None)
                   | (table.c.last_message_at < stmt.excluded.last_message_at)))
    return _STATEMENTS[dialect]


class ActivityBuffer:
    """This process's activity not yet written, and the thread that writes it."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.writing = threading.Lock()  # one write at a time: flush() returns after it
        self.pending = {}
        self.pid = os.getpid()
        self.thread = None

    @classmethod
    def of(cls, app):
        buffer = app.extensions.get("follower_activity")
        if buffer is None or buffer.pid != os.getpid():  # a forked child starts afresh
            buffer = app.extensions["follower_activity"] = exit_flush.register(cls(app))
        return buffer

    def add(self, openid, at):
        with self.lock:
            if at > self.pending.get(openid, at.min):
                self.pending[openid] = at
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True,
                                               name="follower-activity")
                self.thread.start()

    def _run(self):
        """Write every interval while there is activity; end when there is none (the
        next ``add`` starts a new thread), so an idle app is not kept alive by it."""
        while True:
            time.sleep(float(self.app.config["FOLLOWER_FLUSH_SECONDS"]))
            self.flush()
            with self.lock:
                if not self.pending:
                    self.thread = None
                    return

    def flush(self):
        """Write what is pending; entries stay until their write commits. Returns how
        many were written; when it returns, everything added before it was called is
        written (or kept for the retry), even if the thread was writing at that moment."""
        with self.writing:
            with self.lock:
                batch, self.pending = self.pending, {}
            if not batch:
                return 0
            try:
                with self.app.app_context():
                    _write(db.engine, batch)
            except Exception:
                log.exception("follower activity not written (%d users); retried", len(batch))
                with self.lock:
                    for openid, at in batch.items():
                        if at > self.pending.get(openid, at.min):
                            self.pending[openid] = at
                return 0
            return len(batch)


def flush_activity(app):
    """Write this process's pending activity now (tests, shutdown hooks)."""
    buffer = app.extensions.get("follower_activity")
    return buffer.flush() if buffer is not None else 0


def get(openid):
    return db.session.execute(db.select(Follower).filter_by(openid=openid)).scalar_one_or_none()
