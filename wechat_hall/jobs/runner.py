"""Runs one outbox row, at most once to success, whatever delivered it how often."""
import logging
import time
import traceback
from datetime import timedelta

from sqlalchemy import update

from models import OutboxJob
from models.outbox import DONE, FAILED, PENDING, QUEUED
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.telemetry import context, metrics
from wechat_hall.telemetry.logs import event

from .registry import JOBS

log = logging.getLogger(__name__)
RUNNING = "running"
MAX_ATTEMPTS = 5
_bound = {"app": None}


def bind_app(app):
    """The app a job runs in when a worker calls us outside any app context."""
    _bound["app"] = app


def bound_app():
    return _bound["app"]


def in_app_context(app, fn, *args):
    with app.app_context():
        return fn(*args)


def run_outbox_job(job_id):
    """Entry point for RQ and the in-process executor.

    The conditional update is the claim: of two deliveries of the same row only one
    moves it to ``running``; the other sees it taken and returns.
    """
    from flask import has_app_context
    if not has_app_context():
        if _bound["app"] is None:  # a bare `rq worker`: it would not know our jobs
            raise RuntimeError("start job workers with `flask jobs worker`, which builds the app")
        return in_app_context(_bound["app"], run_outbox_job, job_id)
    claimed = db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.status.in_((PENDING, QUEUED)))
        .values(status=RUNNING, attempts=OutboxJob.attempts + 1)).rowcount
    db.session.commit()
    if not claimed:
        metrics.JOBS.labels("-", "-", "skipped").inc()
        return "skipped"
    row = db.session.get(OutboxJob, job_id)
    # The job's lines carry the id of the request that asked for it.
    token = context.bind(row.request_id or context.new_id())
    try:
        return _run_claimed(row, job_id)
    finally:
        context.reset(token)


def _run_claimed(row, job_id):
    """Run a row this process claimed; one log line and the job counters, whatever
    the outcome."""
    started = time.perf_counter()
    func, queue, attempt = row.func, row.queue, row.attempts
    fn = JOBS.get(row.func)
    try:
        if fn is None:
            raise LookupError(f"no job named {row.func}")
        fn(dict(row.payload or {}), job_id=row.id)
        # The job's own changes and the DONE mark commit together.
        row = db.session.get(OutboxJob, job_id)
        row.status = DONE
        row.finished_at = clock.utcnow()
        row.error = None
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        row = db.session.get(OutboxJob, job_id)
        permanent = getattr(exc, "permanent", False) or row.attempts >= MAX_ATTEMPTS
        row.status = FAILED if permanent else PENDING
        row.error = "".join(traceback.format_exception_only(type(exc), exc))[:2000]
        row.run_after = clock.utcnow() + timedelta(seconds=30 * 2 ** row.attempts)
        db.session.commit()
        outcome = "failed" if permanent else "retried"
        log.warning("job %s (%s) failed: %s", job_id, func, exc)
    else:
        outcome = "done"
    seconds = time.perf_counter() - started
    metrics.JOBS.labels(queue, func, outcome).inc()
    metrics.JOB_SECONDS.labels(queue).observe(seconds)
    event(log, "job", event="job", job=func, job_id=job_id, queue=queue, attempt=attempt,
          outcome=outcome, duration_ms=round(seconds * 1000, 2))
    return "failed" if outcome != "done" else "done"
