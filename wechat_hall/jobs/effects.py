"""Effects outside the database, once per idempotency key (P-7).

A job taken up again after its worker died runs from the start; what it already did to
the outside world must not happen twice. ``once(key, effect)`` runs ``effect()`` only if
no effect was recorded under ``key``, then records its result and commits at once, with
whatever the effect wrote to the session (the development inbox's row is the "sent"
mail): the record and the effect stand or fall together. A later run gets the recorded
result back instead of a second e-mail.

What remains is the moment between an SMTP server's "250 OK" and our commit: a worker
killed exactly there sends the mail again when its job is taken up. No mail protocol
closes that gap; the message carries the same ``Message-ID`` both times.
"""
from sqlalchemy.exc import IntegrityError

from models import JobEffect
from wechat_hall.extensions import db


def recorded(key):
    """The result recorded under ``key``, or None."""
    row = db.session.execute(db.select(JobEffect).filter_by(key=key)).scalar_one_or_none()
    return None if row is None else dict(row.result or {})


def once(key, effect):
    """``effect()`` → a JSON-able dict, run at most once per ``key``; returns it."""
    done = recorded(key)
    if done is not None:
        return done
    result = effect() or {}
    db.session.add(JobEffect(key=key, result=result))
    try:
        db.session.commit()
    except IntegrityError:  # another run recorded it first (a lost lease): theirs stands
        db.session.rollback()
        return recorded(key)
    return result
