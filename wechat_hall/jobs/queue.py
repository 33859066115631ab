"""Delivering outbox rows to workers: RQ on Redis, or threads in this process."""
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from rq import Queue
from rq.registry import StartedJobRegistry
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from models import OutboxJob
from models.outbox import FAILED, PENDING, QUEUED
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.telemetry import context

from .registry import JOBS
from .runner import (MAX_ATTEMPTS, RUNNING, bind_app, bound_app, in_app_context, lease_now,
                     run_outbox_job)

log = logging.getLogger(__name__)

QUEUES = ("high", "default", "low")
DEFAULT_JOB_TIMEOUT = 600  # seconds RQ lets one job run before it stops it; JOB_TIMEOUT
_state = {"executor": None, "futures": set()}
_lock = threading.Lock()


def init_app(app):
    bind_app(app)
    app.extensions["job_queues"] = None
    if app.config["REDIS_URL"]:
        conn = app.extensions["redis"]
        app.extensions["job_queues"] = {name: Queue(name, connection=conn) for name in QUEUES}


def submit(func, payload=None, *, queue="default", dedup_key=None, delay=None):
    """Add a job to the current transaction. It runs after the commit, never before.

    ``dedup_key`` makes the request idempotent: a second submit with the same key in a
    later transaction is a no-op (the unique index refuses the row; we check first).
    """
    if func not in JOBS:
        raise ValueError(f"unknown job {func!r}")
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if dedup_key is not None:
        existing = db.session.execute(
            db.select(OutboxJob).filter_by(dedup_key=dedup_key)).scalar_one_or_none()
        if existing is not None:
            return existing
    row = OutboxJob(func=func, payload=payload or {}, queue=queue, dedup_key=dedup_key,
                    run_after=clock.utcnow() + (delay or timedelta(0)),
                    request_id=context.current())
    db.session.add(row)
    return row


# -- after commit: hand new rows to the workers ------------------------------------

@event.listens_for(Session, "after_flush")
def _collect_new_jobs(session, flush_context):
    new = [obj for obj in session.new if isinstance(obj, OutboxJob)]
    if new:
        session.info.setdefault("outbox_new", []).extend(new)


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session):
    rows = session.info.pop("outbox_new", [])
    due = [(row.id, row.queue) for row in rows
           if row.run_after <= clock.utcnow() + timedelta(seconds=1)]
    if due and bound_app() is not None:
        deliver(bound_app(), due)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session):
    session.info.pop("outbox_new", None)


def rq_job_id(outbox_id):
    """The id of an outbox row's job in RQ: one per row, whichever delivery it is."""
    return f"outbox-{outbox_id}"


def _queue_for(queues, name):
    return queues[name if name in QUEUES else "default"]


def deliver(app, due):
    """Hand these ``(id, queue)`` outbox rows to workers. A failure leaves them pending
    for the dispatcher."""
    queues = app.extensions.get("job_queues")
    if queues is None:
        for job_id, _ in due:
            _run_in_thread(app, job_id)
        return
    delivered = []
    timeout = int(app.config.get("JOB_TIMEOUT") or DEFAULT_JOB_TIMEOUT)
    for job_id, queue_name in due:
        try:
            _queue_for(queues, queue_name).enqueue(
                "wechat_hall.jobs.runner.run_outbox_job", job_id, job_id=rq_job_id(job_id),
                job_timeout=timeout, result_ttl=3600, failure_ttl=86400)
            delivered.append(job_id)
        except Exception as exc:  # Redis down: the dispatcher will try again.
            log.warning("outbox %s not delivered to RQ (%s); left pending", job_id, exc)
    if delivered:
        with db.engine.begin() as conn:
            conn.execute(update(OutboxJob)
                         .where(OutboxJob.id.in_(delivered), OutboxJob.status == PENDING)
                         .values(status=QUEUED, queued_at=clock.utcnow()))


def _run_in_thread(app, job_id):
    with _lock:
        if _state["executor"] is None:
            _state["executor"] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="job")
        future = _state["executor"].submit(in_app_context, app, run_outbox_job, job_id)
        _state["futures"].add(future)
        future.add_done_callback(lambda f: _state["futures"].discard(f))


def drain(timeout=30):
    """Wait until the in-process workers are idle (embedded mode; used by tests)."""
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = list(_state["futures"])
        if not pending:
            return True
        for f in pending:
            try:
                f.result(timeout=max(0.0, deadline - time.monotonic()))
            except Exception:  # the runner has recorded it
                pass
    return not _state["futures"]


def dispatch_pending(app, limit=500):
    """Deliver rows that are due and not yet with a worker: new ones, ones whose worker
    died (:func:`reap_expired_leases`) and ones RQ lost (:func:`take_back_lost_deliveries`).

    Run by the scheduler every few seconds. Returns the number of rows handed over.
    """
    reap_expired_leases(app)
    take_back_lost_deliveries(app)
    now = clock.utcnow()
    with db.engine.begin() as conn:
        due = conn.execute(db.select(OutboxJob.id, OutboxJob.queue)
                           .where(OutboxJob.status == PENDING, OutboxJob.run_after <= now)
                           .order_by(OutboxJob.id).limit(limit)).all()
    if due:
        deliver(app, [tuple(row) for row in due])
    return len(due)


LOST_AFTER = timedelta(seconds=30)  # queued, not claimed and not waiting in RQ: lost
LOST_CHECKED_PER_ROUND = 200


def take_back_lost_deliveries(app):
    """Rows marked ``queued`` whose RQ job no longer waits in its queue, and that no
    worker claimed, go back to ``pending`` (the dispatcher delivers them again).

    A worker claims a row (``queued`` → ``running``) within milliseconds of taking its job
    from Redis, so a row still ``queued`` ``LOST_AFTER`` after it was handed over, whose
    job is not in the queue's list, was lost: its worker died between taking the job and
    claiming the row (SIGKILL, OOM), or Redis restarted empty. A second delivery is
    harmless: the claim is a conditional update, and one run at most gets it. Rows whose
    job still waits (a backlog) are left alone; they sit near the head of the list, so
    LPOS finds them in a few steps. With Redis down nothing is decided. Returns the ids."""
    queues = app.extensions.get("job_queues")
    if not queues:
        return []
    cutoff = clock.utcnow() - LOST_AFTER
    with db.engine.connect() as conn:
        candidates = conn.execute(
            db.select(OutboxJob.id, OutboxJob.queue)
            .where(OutboxJob.status == QUEUED, OutboxJob.queued_at < cutoff)
            .order_by(OutboxJob.id).limit(LOST_CHECKED_PER_ROUND)).all()
    if not candidates:
        return []
    try:
        with queues["default"].connection.pipeline(transaction=False) as pipe:
            for job_id, queue_name in candidates:
                pipe.lpos(_queue_for(queues, queue_name).key, rq_job_id(job_id))
            positions = pipe.execute()
    except Exception as exc:  # noqa: BLE001  (Redis down: nothing can be delivered anyway)
        log.warning("queued outbox rows not checked against RQ (%s)", exc)
        return []
    lost = [(job_id, name) for (job_id, name), position in zip(candidates, positions)
            if position is None]
    if lost:
        with db.engine.begin() as conn:
            conn.execute(update(OutboxJob)
                         .where(OutboxJob.id.in_([i for i, _ in lost]),
                                OutboxJob.status == QUEUED)
                         .values(status=PENDING))
        _forget_in_rq(queues, lost)
        lost = [job_id for job_id, _ in lost]
        log.warning("outbox rows %s: queued but no longer in RQ and never claimed; "
                    "delivered again", lost)
    return lost


def _forget_in_rq(queues, lost):
    """The dead worker's copy in RQ's intermediate list goes: RQ would otherwise mark the
    job (same id, delivered again) failed when it cleans that list a minute on."""
    try:
        with queues["default"].connection.pipeline(transaction=False) as pipe:
            for job_id, name in lost:
                pipe.lrem(_queue_for(queues, name).intermediate_queue_key, 0, rq_job_id(job_id))
            pipe.execute()
    except Exception as exc:  # noqa: BLE001  (only RQ's bookkeeping: harmless if left)
        log.warning("RQ intermediate lists not tidied (%s)", exc)


def reap_expired_leases(app):
    """Rows whose worker died (the lease ran out without a heartbeat) go back to
    ``pending``, due now, for another worker; after MAX_ATTEMPTS they fail for good. RQ's
    own record of those jobs is cleaned as RQ does it (StartedJobRegistry.cleanup moves
    abandoned jobs to the failed registry); the outbox row, not RQ, decides the retry.
    Returns the ids taken back."""
    now = lease_now()
    with db.engine.begin() as conn:
        expired = conn.execute(db.select(OutboxJob.id, OutboxJob.attempts)
                               .where(OutboxJob.status == RUNNING,
                                      OutboxJob.lease_until < now)).all()
        for job_id, attempts in expired:
            final = attempts >= MAX_ATTEMPTS
            conn.execute(update(OutboxJob)
                         .where(OutboxJob.id == job_id, OutboxJob.status == RUNNING,
                                OutboxJob.lease_until < now)
                         .values(status=FAILED if final else PENDING, lease_owner=None,
                                 lease_until=None, run_after=clock.utcnow(),
                                 error="worker lost (lease expired)"))
    if expired:
        log.warning("outbox rows %s: worker lost, taken back", [i for i, _ in expired])
    queues = app.extensions.get("job_queues")
    for q in (queues or {}).values():
        try:
            StartedJobRegistry(queue=q).cleanup()
        except Exception as exc:  # noqa: BLE001  (Redis down: the next round cleans)
            log.warning("RQ started-job registry of %s not cleaned (%s)", q.name, exc)
    return [job_id for job_id, _ in expired]


STUCK_QUEUED = timedelta(minutes=5)   # queued that long: no worker takes the queue
STUCK_PENDING = timedelta(minutes=2)  # due that long and not delivered: no dispatcher


def stuck():
    """Jobs that are not moving, by why: a running row whose lease ran out (its worker
    died and no dispatcher took it back), queued rows no worker took, pending rows past
    due that no dispatcher delivered. For /healthz."""
    now, lease = clock.utcnow(), lease_now()
    found = {}
    for name, cond in (
            ("lease_expired", (OutboxJob.status == RUNNING) & (OutboxJob.lease_until < lease)),
            ("running_without_lease",
             (OutboxJob.status == RUNNING) & OutboxJob.lease_until.is_(None)),
            ("queued_too_long", (OutboxJob.status == QUEUED)
             & (OutboxJob.queued_at < now - STUCK_QUEUED)),
            ("pending_overdue", (OutboxJob.status == PENDING)
             & (OutboxJob.run_after < now - STUCK_PENDING))):
        n = db.session.execute(db.select(db.func.count(OutboxJob.id)).where(cond)).scalar()
        if n:
            found[name] = n
    return found


def counts():
    """Outbox rows by status, and RQ queue depth: for /healthz."""
    rows = db.session.execute(db.select(OutboxJob.status, db.func.count())
                              .group_by(OutboxJob.status)).all()
    result = {"outbox": {status: n for status, n in rows}}
    app = bound_app()
    queues = app.extensions.get("job_queues") if app else None
    if queues:
        result["rq"] = {name: q.count for name, q in queues.items()}
    else:
        result["rq"] = {"embedded": len(_state["futures"])}
    return result


__all__ = [
    "FAILED",
    "MAX_ATTEMPTS",
    "counts",
    "deliver",
    "dispatch_pending",
    "drain",
    "reap_expired_leases",
    "rq_job_id",
    "take_back_lost_deliveries",
    "stuck",
    "submit",
]
