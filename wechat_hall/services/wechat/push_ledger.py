"""The database fallback of the push marks, used only while Redis is unreachable (P-1).

``replay.Pair`` and ``inbound.respond`` keep their marks in Redis, in the push's one
round trip. When Redis does not answer, WeChat's retries must still get the first reply and never run
the handler again, and a used (timestamp, nonce) must still be refused with another body:
the marks become rows of ``wechat_push_mark`` under a unique key, taken with
``INSERT … ON CONFLICT DO NOTHING`` so two processes racing on one push insert one row.
"""
import logging
from datetime import timedelta

from flask import current_app

from models import WechatPushMark
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs.registry import periodic
from wechat_hall.services.db_locks import insert_ignore

log = logging.getLogger(__name__)

PENDING = object()  # the first push is still being handled


def _insert(key, body_hash=None):
    stmt = insert_ignore(WechatPushMark).values(key=key, body_hash=body_hash,
                                                created_at=clock.utcnow())
    inserted = db.session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
    db.session.commit()
    return inserted.rowcount == 1


def _row(key):
    row = db.session.execute(
        db.select(WechatPushMark.body_hash, WechatPushMark.reply).filter_by(key=key)).first()
    db.session.rollback()  # end the read: the next look sees what others committed since
    return row


def claim_pair(key, body_hash):
    """Remember a (timestamp, nonce) pair: None if it is new, else the stored body hash."""
    if _insert(key, body_hash):
        return None
    row = _row(key)
    return row.body_hash if row is not None else None


def claim(key):
    """Take a push's dedup key: True for the first push, False for a retry."""
    return _insert(key)


def remember(key, xml):
    """The reply sent for the push, for its retries."""
    db.session.execute(db.update(WechatPushMark).filter_by(key=key).values(reply=xml))
    db.session.commit()


def peek(key):
    """The reply for a retry: the XML, ``PENDING`` while the first is handled, or None."""
    row = _row(key)
    if row is None:
        return None
    return PENDING if row.reply is None else row.reply


@periodic("wechat.forget_pushes", 600)
def forget_old_marks():
    """Marks outlive the clock window and the retry window, then go."""
    cfg = current_app.config
    keep = max(2 * cfg["WECHAT_MAX_CLOCK_SKEW"], cfg["WECHAT_DEDUP_TTL"]) + 60
    gone = db.session.execute(db.delete(WechatPushMark).where(
        WechatPushMark.created_at < clock.utcnow() - timedelta(seconds=keep))).rowcount
    db.session.commit()
    if gone:
        log.info("forgot %d push marks kept while Redis was down", gone)
    return gone
