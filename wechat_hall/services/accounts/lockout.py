"""The sign-in lockout, one rule for investors (ACC-2) and staff alike.

Too many wrong passwords in a row lock the account for a while. An unknown name is
hashed anyway, so the answer takes as long as for a real one; a locked account is refused
before its password is checked, so the right password does not help during the lock;
failures are counted with one atomic UPDATE, so two workers cannot both see the same
count. Both account models carry ``failed_logins`` and ``locked_until`` and a
``check_password``; the callers word the refusals for their own people.

A name nobody has gets the same treatment (issue 13 item 6): its failures are counted in
Redis under a keyed hash of the name, and the limit-th one "locks" it for the same time,
so an unknown phone or username answers exactly as a known one does, the lock message
included, and nobody learns from the answers whether an account exists. If Redis cannot
be reached, an unknown name just gets the wrong-password answer.
"""
import hashlib
import hmac
import logging
import math
from datetime import timedelta

import redis
from flask import current_app
from sqlalchemy import update
from werkzeug.security import check_password_hash, generate_password_hash

from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.redis_store import get_redis

log = logging.getLogger(__name__)


class Unknown(Exception):
    """No such account (the time of a password check has been spent anyway)."""


class Locked(Exception):
    def __init__(self, minutes, just_locked=False):
        super().__init__(minutes)
        self.minutes, self.just_locked = minutes, just_locked


class WrongPassword(Exception):
    def __init__(self, tries_left, lock_minutes):
        super().__init__(tries_left)
        self.tries_left, self.lock_minutes = tries_left, lock_minutes


_dummy = {}


def burn_time(password):
    """Check the password against a hash nobody has, as long as a real check takes."""
    if "hash" not in _dummy:
        _dummy["hash"] = generate_password_hash("no-such-user-placeholder")
    check_password_hash(_dummy["hash"], password or "")


def minutes_left(account, now=None):
    """Whole minutes (at least 1) until the lock ends, or 0 if it is not locked."""
    now = now or clock.utcnow()
    if not account.locked_until or account.locked_until <= now:
        return 0
    return max(1, math.ceil((account.locked_until - now).total_seconds() / 60))


def check(account, password, *, limit, lock_minutes, name=None, kind="account"):
    """The password of ``account`` (None: nobody has that name), under the lockout.

    Returns the clock's now when the password is right (the caller decides what else
    must hold before :func:`signed_in`); raises Unknown, Locked or WrongPassword (the
    failure is counted and committed; the limit-th failure locks, and counting starts
    afresh once the lock has passed). With ``name`` (the phone or username typed), a name
    nobody has raises WrongPassword and Locked exactly as an account would
    (:func:`_unknown_name`); ``kind`` keeps investors' and staff's names apart."""
    if account is None:
        burn_time(password)
        if name:
            _unknown_name(kind, name, limit, lock_minutes)
        raise Unknown()
    now = clock.utcnow()
    left = minutes_left(account, now)
    if left:
        raise Locked(left)
    if account.check_password(password or ""):
        return now
    model = type(account)
    count = db.session.execute(
        update(model).where(model.id == account.id)
        .values(failed_logins=model.failed_logins + 1)
        .returning(model.failed_logins)).scalar_one()
    if count >= limit:
        db.session.execute(update(model).where(model.id == account.id).values(
            failed_logins=0, locked_until=now + timedelta(minutes=lock_minutes)))
        db.session.commit()
        db.session.refresh(account)
        raise Locked(lock_minutes, just_locked=True)
    db.session.commit()
    db.session.refresh(account)
    raise WrongPassword(limit - count, lock_minutes)


def signed_in(account, now):
    """A successful sign-in: the count and any lock are cleared (committed)."""
    clear(account)
    account.last_login_at = now
    db.session.commit()


def clear(account):
    """Let the person try again now (an admin checked who they are, or the password
    was reset). Not committed."""
    account.failed_logins = 0
    account.locked_until = None


# KEYS: failures of the name, its lock (value: lock end, ms since the epoch)
# ARGV: limit, now ms, lock ms, failures TTL ms
_UNKNOWN_NAME = """
local now = tonumber(ARGV[2])
local locked_until = tonumber(redis.call('GET', KEYS[2]) or '0')
if locked_until > now then return {'locked', locked_until - now} end
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if n >= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], tostring(now + tonumber(ARGV[3])), 'PX', tonumber(ARGV[3]) + 86400000)
  return {'just_locked', tonumber(ARGV[3])}
end
return {'wrong', n}
"""
_DAY_MS = 86_400_000


def _name_key(kind, name, what):
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    digest = hmac.new(secret, f"{kind}\x00{name}".encode(), hashlib.sha256).hexdigest()
    return f"lockout:{kind}:{what}:{digest[:32]}"


def _unknown_name(kind, name, limit, lock_minutes):
    """Count a failure against a name nobody has, as :func:`check` does for an account;
    raises WrongPassword or Locked (returns only when Redis is unreachable)."""
    now_ms = int(clock.utcnow().timestamp() * 1000)  # naive UTC: any fixed offset will do
    try:
        state, value = get_redis().eval(
            _UNKNOWN_NAME, 2, _name_key(kind, name, "failures"), _name_key(kind, name, "lock"),
            limit, now_ms, lock_minutes * 60_000, _DAY_MS)
    except redis.RedisError as exc:
        log.warning("lockout of unknown names unavailable: %s", exc)
        return
    state = state.decode() if isinstance(state, bytes) else state
    if state == "wrong":
        raise WrongPassword(limit - int(value), lock_minutes)
    raise Locked(max(1, math.ceil(int(value) / 60_000)), just_locked=state == "just_locked")
