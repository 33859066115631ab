"""The sign-in lockout, one rule for investors (ACC-2) and staff alike.

Too many wrong passwords in a row lock the account for a while. An unknown name is
hashed anyway, so the answer takes as long as for a real one; a locked account is refused
before its password is checked, so the right password does not help during the lock;
failures are counted with one atomic UPDATE, so two workers cannot both see the same
count. Both account models carry ``failed_logins`` and ``locked_until`` and a
``check_password``; the callers word the refusals for their own people.
"""
import math
from datetime import timedelta

from sqlalchemy import update
from werkzeug.security import check_password_hash, generate_password_hash

from wechat_hall import clock
from wechat_hall.extensions import db


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


def check(account, password, *, limit, lock_minutes):
    """The password of ``account`` (None: nobody has that name), under the lockout.

    Returns the clock's now when the password is right (the caller decides what else
    must hold before :func:`signed_in`); raises Unknown, Locked or WrongPassword (the
    failure is counted and committed; the limit-th failure locks, and counting starts
    afresh once the lock has passed)."""
    if account is None:
        burn_time(password)
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
