"""The 上市公司信箱 (ISS-2): register files delivered to an issuer, kept 60 natural days.

Files live under ``ISSUER_MAILBOX_DIR/<issuer id>/`` with a random stored name (the
register's own name is only shown and sent as the download name), so no path an issuer
types ever reaches the file system. Every making, download and removal is a
``RegisterAccess`` row: the audit trail the issuer desk reads.
"""
import logging
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app

from models import MailboxItem, RegisterAccess
from models.issuer_portal import DOWNLOADED, MADE, REMOVED
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs import periodic

from . import registers

log = logging.getLogger(__name__)
KEEP_DAYS = 60


def root():
    path = Path(current_app.config["ISSUER_MAILBOX_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(item):
    return root() / str(item.issuer_id) / item.stored_name


def deliver(issuer_id, req, application_id=None, source="application", push_key=None):
    """Write the register of ``req`` into the issuer's mailbox; the new item (flushed).
    RegisterRefused when the register would be empty (nothing is kept then)."""
    folder = root() / str(issuer_id)
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / f".job-{secrets.token_hex(8)}"
    scratch.mkdir()
    try:
        written = registers.write_register(req, scratch)
        stored = f"{secrets.token_hex(12)}-{written.path.name}"
        target = folder / stored
        written.path.replace(target)
    finally:
        for leftover in scratch.iterdir():
            leftover.unlink()
        scratch.rmdir()
    today = clock.today()
    item = MailboxItem(issuer_id=issuer_id, application_id=application_id,
                       security_id=req.security.id, source=source, push_key=push_key,
                       kind=req.kind, file_name=written.path.name, stored_name=stored,
                       size=target.stat().st_size, rows=written.rows,
                       record_date=req.record_date, expires_on=today + timedelta(days=KEEP_DAYS))
    db.session.add(item)
    db.session.flush()
    db.session.add(RegisterAccess(issuer_id=issuer_id, item_id=item.id, action=MADE))
    return item


def deliver_file(issuer_id, security_id, kind, file_name, data, record_date,
                 source="certificate", push_key=None):
    """Put a made file (a signed certificate PDF) into the mailbox; the item (flushed).
    A ``push_key`` already delivered returns that item."""
    if push_key:
        done = db.session.execute(db.select(MailboxItem).filter_by(
            push_key=push_key)).scalar_one_or_none()
        if done is not None:
            return done
    folder = root() / str(issuer_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(12)}-{file_name}"
    partial = folder / f".{stored}.part"
    partial.write_bytes(data)
    partial.replace(folder / stored)
    item = MailboxItem(issuer_id=issuer_id, security_id=security_id, source=source,
                       push_key=push_key, kind=kind, file_name=file_name, stored_name=stored,
                       size=len(data), rows=0, record_date=record_date,
                       expires_on=clock.today() + timedelta(days=KEEP_DAYS))
    db.session.add(item)
    db.session.flush()
    db.session.add(RegisterAccess(issuer_id=issuer_id, item_id=item.id, action=MADE))
    return item


def items_of(issuer_id):
    return db.session.execute(
        db.select(MailboxItem).filter_by(issuer_id=issuer_id, removed_at=None)
        .order_by(MailboxItem.created_at.desc(), MailboxItem.id.desc())).scalars().all()


def record_download(item, contact=None, staff=None, address=""):
    """The audit row of one download (committed by the caller)."""
    db.session.add(RegisterAccess(issuer_id=item.issuer_id, item_id=item.id, action=DOWNLOADED,
                                  contact_id=getattr(contact, "id", None),
                                  staff_id=getattr(staff, "id", None),
                                  address=(address or "")[:45]))


def audit_trail(issuer_id=None, limit=300):
    query = db.select(RegisterAccess).order_by(RegisterAccess.at.desc(), RegisterAccess.id.desc())
    if issuer_id is not None:
        query = query.filter_by(issuer_id=issuer_id)
    return db.session.execute(query.limit(limit)).scalars().all()


def remove_expired(today=None):
    """Delete the files whose 60 days are over; the rows stay (marked removed) for the
    audit trail. Returns how many were removed. Commits."""
    today = today or clock.today()
    due = db.session.execute(db.select(MailboxItem).where(
        MailboxItem.removed_at.is_(None), MailboxItem.expires_on <= today)).scalars().all()
    for item in due:
        path_of(item).unlink(missing_ok=True)
        item.removed_at = clock.utcnow()
        db.session.add(RegisterAccess(issuer_id=item.issuer_id, item_id=item.id, action=REMOVED))
    db.session.commit()
    return len(due)


@periodic("issuers.mailbox_expiry", 3600)
def expire_mailbox():
    """Every hour: files older than 60 natural days leave the mailbox."""
    removed = remove_expired()
    if removed:
        log.info("removed %d expired mailbox files", removed)
