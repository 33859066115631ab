"""Runs one outbox row, at most once to success, whatever delivered it how often."""
import logging
import traceback
from datetime import timedelta

from sqlalchemy import update

from models import OutboxJob, utcnow
from models.outbox import DONE, FAILED, PENDING, QUEUED
from wechat_hall.extensions import db

from .registry import JOBS, load_all

log = logging.getLogger(__name__)
RUNNING = "running"


def run_outbox_job(job_id):
    """Entry point for RQ and the in-process executor.

    The conditional update is the claim: of two deliveries of the same row only one
    moves it to ``running``; the other sees it taken and returns.
    """
    from flask import has_app_context
    if not has_app_context():
        from .queue import _state, _with_context
        return _with_context(_state["app"] or _make_app(), run_outbox_job, job_id)
    load_all()
    claimed = db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.status.in_((PENDING, QUEUED)))
        .values(status=RUNNING, attempts=OutboxJob.attempts + 1)).rowcount
    db.session.commit()
    if not claimed:
        return "skipped"
    row = db.session.get(OutboxJob, job_id)
    fn = JOBS.get(row.func)
    try:
        if fn is None:
            raise LookupError(f"no job named {row.func}")
        fn(dict(row.payload or {}), job_id=row.id)
        # The job's own changes and the DONE mark commit together.
        row = db.session.get(OutboxJob, job_id)
        row.status = DONE
        row.finished_at = utcnow()
        row.error = None
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        row = db.session.get(OutboxJob, job_id)
        permanent = getattr(exc, "permanent", False) or row.attempts >= _max_attempts()
        row.status = FAILED if permanent else PENDING
        row.error = "".join(traceback.format_exception_only(type(exc), exc))[:2000]
        row.run_after = utcnow() + timedelta(seconds=30 * 2 ** row.attempts)
        db.session.commit()
        log.warning("job %s (%s) failed: %s", job_id, row.func, exc)
        return "failed"
    return "done"


def _max_attempts():
    from .queue import MAX_ATTEMPTS
    return MAX_ATTEMPTS


def _make_app():
    from wechat_hall import create_app
    return create_app()
