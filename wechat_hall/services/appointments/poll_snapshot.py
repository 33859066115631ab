"""The day's tickets of an office as the progress poll reads them, cached in Redis.

Every waiting phone asks ``/h5/queue/status.json`` every few seconds, and each answer was
a SELECT counting the people ahead (issue 15: 41 % of the poll's time, and the pool
checkout around it another 19 %). An office's line is small and the same for all of its
phones, so it is read once for all of them (``progress.line_of``: one SELECT of the
office's tickets of the day, people ahead by a window function over the same call order,
checked against the definition in the tests), stored as one Redis hash ``排队码 →
answer`` beside the wrong-guess counter the poll reads anyway. A poll is then one Redis
round trip.

It is a cache, never a source of truth:
- it lives ``QUEUE_POLL_SNAPSHOT_SECONDS`` (1 s by default) and is then read again;
- a commit that changes a ticket deletes its office's hash (a session listener sees
  tickets written through the ORM; a bulk ``UPDATE`` of tickets names its office with
  :func:`changed`), so the phone of a ticket just called sees 已叫号 on its next poll;
- a code not in the hash (a ticket issued after it was built, another day's, a wrong
  guess) is answered by the database, as before; Redis being down or restarted means
  the database answers every poll until the hash is back.
A build that read the database just before a commit and stores its hash just after the
commit's delete keeps the old line for at most one lifetime: that is the bound on how
stale an answer can be.
"""
import json

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from models import Ticket
from wechat_hall import clock
from wechat_hall.redis_store import get_redis
from wechat_hall.services.redis_batch import failed, round_trip

PRESENT = "#"  # the field every built hash has: "this office's line was read"
_PENDING = "queue_poll_changed"  # session.info: offices whose line a commit changes


def key(office_id, day):
    return f"queue-poll:{office_id}:{day.isoformat()}"


def _build_lock(office_id, day):
    return f"queue-poll-build:{office_id}:{day.isoformat()}"


def lookup(office_id, code, commands):
    """One round trip: ``commands`` (the caller's, e.g. the guess counter's GET) and the
    ticket's entry in today's hash. Returns (the commands' replies, the entry): the entry
    is a dict, ``None`` when the hash has no such code, ``False`` when there is no hash
    (or Redis did not answer)."""
    replies = round_trip(get_redis(), [*commands, ("HMGET", key(office_id, clock.today()),
                                                   PRESENT, code)])
    mine, entry = replies[:-1], replies[-1]
    if failed(entry) or entry[0] is None:
        return mine, False
    return mine, json.loads(entry[1]) if entry[1] is not None else None


def build(office_id, code, read_line):
    """Read the office's line with ``read_line(office_id, day)`` ({排队码: entry}) and
    store it, unless another poll is reading it already (then ``False``: ask the database
    for this one). Returns the code's entry, or None."""
    day = clock.today()
    redis = get_redis()
    lifetime = current_app.config["QUEUE_POLL_SNAPSHOT_SECONDS"]
    try:
        if not redis.set(_build_lock(office_id, day), 1, nx=True, px=_ms(lifetime)):
            return False
    except Exception:
        return False
    entries = read_line(office_id, day)
    try:
        pipe = redis.pipeline(transaction=True)
        pipe.delete(key(office_id, day))
        pipe.hset(key(office_id, day), mapping={PRESENT: "1", **{
            c: json.dumps(e, ensure_ascii=False, separators=(",", ":"))
            for c, e in entries.items()}})
        pipe.pexpire(key(office_id, day), _ms(lifetime))
        pipe.execute()
    except Exception:
        pass  # the answer below stands; the next poll asks again
    return entries.get(code)


def _ms(seconds):
    return max(100, int(seconds * 1000))


def changed(session, office_id):
    """A bulk statement of the current transaction changes tickets of ``office_id``:
    its line is read again after the commit."""
    session.info.setdefault(_PENDING, set()).add(office_id)


@event.listens_for(Session, "after_flush")
def _tickets_flushed(session, _context):
    offices = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Ticket) and obj.office_id is not None:
            offices = offices or session.info.setdefault(_PENDING, set())
            offices.add(obj.office_id)
    # Kept through a rollback: a needless delete after the next commit costs nothing,
    # a forgotten one a stale answer.


@event.listens_for(Session, "after_commit")
def _forget_changed_lines(session):
    offices = session.info.pop(_PENDING, None)
    if not offices or not has_app_context():
        return
    day = clock.today()
    try:
        get_redis().delete(*(key(office_id, day) for office_id in offices))
    except Exception:
        pass  # the hash expires within its lifetime


