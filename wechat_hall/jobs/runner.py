"""Runs one outbox row, at most once to success, whatever delivered it how often.

A claim is a lease: the runner moves the row to ``running`` with ``lease_until`` a
lease ahead and a token of its own in ``lease_owner``, and a heartbeat thread renews the
lease while the job runs. If the worker dies (SIGKILL, OOM, a lost host) the heartbeat
stops, the lease runs out and :func:`queue.reap_expired_leases` returns the row to
``pending`` for another worker. The job's changes and the ``done`` mark commit together
and only under the runner's own lease, so a slow worker whose row was taken up again
cannot finish it a second time. Effects outside the database use ``effects.once``.
"""
import logging
import secrets
import threading
import time
import traceback
from datetime import UTC, datetime, timedelta

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
DEFAULT_LEASE = 60  # seconds; JOB_LEASE_SECONDS
_bound = {"app": None}


def bind_app(app):
    """The app a job runs in when a worker calls us outside any app context."""
    _bound["app"] = app


def bound_app():
    return _bound["app"]


def in_app_context(app, fn, *args):
    with app.app_context():
        return fn(*args)


def lease_now():
    """Leases are machinery time: real UTC, never the frozen clock of tests."""
    return datetime.now(UTC).replace(tzinfo=None)


def lease_seconds(app):
    return int(app.config.get("JOB_LEASE_SECONDS") or DEFAULT_LEASE)


class Heartbeat:
    """Renews a row's lease every third of the lease, on a connection of its own."""

    def __init__(self, engine, job_id, owner, seconds):
        self.engine, self.job_id, self.owner, self.seconds = engine, job_id, owner, seconds
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"lease-{job_id}", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)

    def _beat(self):
        while not self.stop.wait(max(self.seconds / 3, 0.2)):
            try:
                with self.engine.begin() as conn:
                    kept = conn.execute(
                        update(OutboxJob)
                        .where(OutboxJob.id == self.job_id, OutboxJob.status == RUNNING,
                               OutboxJob.lease_owner == self.owner)
                        .values(lease_until=lease_now() + timedelta(seconds=self.seconds))
                    ).rowcount
                if not kept:
                    log.warning("job %s: lease lost (taken up elsewhere)", self.job_id)
                    return
            except Exception as exc:  # noqa: BLE001  (a busy database: the next beat tries)
                log.warning("job %s: lease not renewed (%s)", self.job_id, exc)


def run_outbox_job(job_id):
    """Entry point for RQ and the in-process executor.

    The conditional update is the claim: of two deliveries of the same row only one
    moves it to ``running``; the other sees it taken and returns.
    """
    from flask import current_app, has_app_context
    if not has_app_context():
        if _bound["app"] is None:  # a bare `rq worker`: it would not know our jobs
            raise RuntimeError("start job workers with `flask jobs worker`, which builds the app")
        return in_app_context(_bound["app"], run_outbox_job, job_id)
    lease = lease_seconds(current_app)
    owner = secrets.token_hex(8)
    claimed = db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == job_id, OutboxJob.status.in_((PENDING, QUEUED)))
        .values(status=RUNNING, attempts=OutboxJob.attempts + 1, lease_owner=owner,
                lease_until=lease_now() + timedelta(seconds=lease))).rowcount
    db.session.commit()
    if not claimed:
        metrics.JOBS.labels("-", "-", "skipped").inc()
        return "skipped"
    row = db.session.get(OutboxJob, job_id)
    # The job's lines carry the id of the request that asked for it.
    token = context.bind(row.request_id or context.new_id())
    try:
        return _run_claimed(row, job_id, owner, lease)
    finally:
        context.reset(token)


def _run_claimed(row, job_id, owner, lease):
    """Run a row this process claimed under ``owner``'s lease; one log line and the job
    counters, whatever the outcome."""
    started = time.perf_counter()
    func, queue, attempt = row.func, row.queue, row.attempts
    fn = JOBS.get(row.func)
    try:
        with Heartbeat(db.engine, job_id, owner, lease):
            if fn is None:
                raise LookupError(f"no job named {row.func}")
            fn(dict(row.payload or {}), job_id=job_id)
            # The job's own changes and the DONE mark commit together, under our lease.
            finished = db.session.execute(
                update(OutboxJob)
                .where(OutboxJob.id == job_id, OutboxJob.status == RUNNING,
                       OutboxJob.lease_owner == owner)
                .values(status=DONE, finished_at=clock.utcnow(), error=None,
                        lease_until=None)).rowcount
            if finished:
                db.session.commit()
                outcome = "done"
            else:
                db.session.rollback()
                log.warning("job %s: lease lost before the end; its changes rolled back", job_id)
                outcome = "lost"
    except Exception as exc:
        db.session.rollback()
        row = db.session.get(OutboxJob, job_id)
        if row.status != RUNNING or row.lease_owner != owner:
            log.warning("job %s failed after its lease was lost: %s", job_id, exc)
            outcome = "lost"
        else:
            permanent = getattr(exc, "permanent", False) or row.attempts >= MAX_ATTEMPTS
            row.status = FAILED if permanent else PENDING
            row.lease_until = row.lease_owner = None
            row.error = "".join(traceback.format_exception_only(type(exc), exc))[:2000]
            row.run_after = clock.utcnow() + timedelta(seconds=30 * 2 ** row.attempts)
            db.session.commit()
            outcome = "failed" if permanent else "retried"
            log.warning("job %s (%s) failed: %s", job_id, func, exc)
    seconds = time.perf_counter() - started
    metrics.JOBS.labels(queue, func, outcome).inc()
    metrics.JOB_SECONDS.labels(queue).observe(seconds)
    event(log, "job", event="job", job=func, job_id=job_id, queue=queue, attempt=attempt,
          outcome=outcome, duration_ms=round(seconds * 1000, 2))
    return outcome if outcome in ("done", "lost") else "failed"
