"""Who may have an open customer-service conversation, known without the database.

``chat.takes_over`` runs for every text in the chat, before the keyword replies, and
most senders have no open conversation — on a real account most are new. Two Redis
facts answer it without a SELECT, both asked in the push's one Redis round trip
(:func:`probe`):

- ``cs:open-ids``, a set of every openid that may have an open conversation: an openid
  is added *before* its conversation is inserted (:func:`will_open`, the only place one
  is created) and never removed, so a member may have none (then the database says so)
  but a non-member has none — while ``cs:open-ids:built`` exists. That flag is set
  after the set was filled from the database (:func:`rebuild`) and lives
  ``BUILT_TTL`` seconds: a Redis restart (or a flush, or rows written by something
  other than ``will_open``) empties the set and the flag together, and the next text
  asks the database and rebuilds. The one gap: a conversation inserted across a Redis
  restart, uncommitted while the set was rebuilt, is missed for at most ``BUILT_TTL``.
- ``cs:noopen:<openid>``: the database said "none" less than ``NO_OPEN_TTL`` seconds
  ago (members of the set, such as investors whose conversation was resolved); deleted
  by :func:`will_open`.

If Redis cannot be asked, the database is.
"""
import logging

from redis.exceptions import RedisError

from models import CsConversation
from models.support import RESOLVED
from wechat_hall.extensions import db
from wechat_hall.redis_store import get_redis
from wechat_hall.services.redis_batch import Probe, failed

log = logging.getLogger(__name__)

OPEN_IDS = "cs:open-ids"
BUILT = "cs:open-ids:built"
BUILDING = "cs:open-ids:building"
BUILT_TTL = 60
NO_OPEN_TTL = 60
CHUNK = 1000


def _no_open_key(openid):
    return f"cs:noopen:{openid}"


class Hint:
    """What Redis said about one sender: ``none_open`` (True: certainly none open) and
    whether the set must be rebuilt."""

    __slots__ = ("none_open", "rebuild")

    def __init__(self, none_open, rebuild):
        self.none_open, self.rebuild = none_open, rebuild


def _take(replies):
    if any(failed(r) for r in replies):
        return None
    member, (built, no_open) = replies  # the flags' values (1) or None
    return Hint(no_open is not None or (built is not None and not member), built is None)


def probe(openid):
    return Probe("cs.open", [("SISMEMBER", OPEN_IDS, openid),
                             ("MGET", BUILT, _no_open_key(openid))], _take)


def ask(openid):
    """The probe's question, asked on its own (outside a push)."""
    try:
        pipe = get_redis().pipeline(transaction=False)
        for command in probe(openid).commands:
            pipe.execute_command(*command)
        return _take(pipe.execute())
    except RedisError:  # Redis down: ask the database
        return None


def remember_none_open(openid):
    try:
        get_redis().set(_no_open_key(openid), 1, ex=NO_OPEN_TTL)
    except RedisError as exc:  # not remembered: the database is asked next time too
        log.warning("cs:noopen not set: %s", exc)


def will_open(openid):
    """Before a conversation is inserted. Raises if Redis cannot record it: a
    conversation that ``takes_over`` might not see must not be opened."""
    pipe = get_redis().pipeline(transaction=False)
    pipe.sadd(OPEN_IDS, openid)
    pipe.delete(_no_open_key(openid))
    pipe.execute()


def rebuild():
    """Fill the set from the database and set the flag (one process at a time)."""
    r = get_redis()
    try:
        if not r.set(BUILDING, 1, nx=True, ex=30):
            return False
        openids = db.session.execute(
            db.select(CsConversation.openid).filter(CsConversation.status != RESOLVED)
            .distinct()).scalars().all()
        pipe = r.pipeline(transaction=False)
        for i in range(0, len(openids), CHUNK):
            pipe.sadd(OPEN_IDS, *openids[i:i + CHUNK])
        pipe.set(BUILT, 1, ex=BUILT_TTL)
        pipe.delete(BUILDING)
        pipe.execute()
        return True
    except Exception:  # the flag stays absent: the database is asked
        log.exception("could not rebuild %s", OPEN_IDS)
        return False
