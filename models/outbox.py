"""The job outbox (P-7): a job that must not be lost is a row first.

The row is written in the same transaction as the change that asks for the job, so a
crash or a Redis outage between commit and enqueue loses nothing: the dispatcher
delivers pending rows to RQ later, and jobs are idempotent on the row's id.

A ``running`` row holds a lease (``lease_until``, renewed by its runner's heartbeat, and
``lease_owner``, the claim's token): when a worker dies the lease runs out and the
dispatcher hands the row to another worker; only the lease's owner may mark it done.
An effect outside the database (an e-mail, a WeChat message) is recorded once under an
idempotency key in ``job_effect``, so a job taken up again does not repeat it.
"""
from wechat_hall.extensions import db

from .base import utcnow

PENDING, QUEUED, DONE, FAILED = "pending", "queued", "done", "failed"


class OutboxJob(db.Model):
    __tablename__ = "outbox_job"

    id = db.Column(db.Integer, primary_key=True)
    # Dotted path of a function registered in wechat_hall.jobs.registry.
    func = db.Column(db.String(128), nullable=False)
    payload = db.Column(db.JSON, nullable=False, default=dict)
    queue = db.Column(db.String(32), nullable=False, default="default")
    # Optional business key: asking twice for the same effect yields one job.
    dedup_key = db.Column(db.String(191), unique=True)
    status = db.Column(db.String(16), nullable=False, default=PENDING, index=True)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    error = db.Column(db.Text)
    run_after = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    queued_at = db.Column(db.DateTime)
    finished_at = db.Column(db.DateTime)
    # While running: until when the claim holds (real UTC), and whose claim it is.
    lease_until = db.Column(db.DateTime, index=True)
    lease_owner = db.Column(db.String(40))
    # The request (or timed job) that asked for it: its log lines carry the same id.
    request_id = db.Column(db.String(64))


class JobEffect(db.Model):
    """An effect a job had on the outside world, once per idempotency key."""

    __tablename__ = "job_effect"

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(191), nullable=False, unique=True)
    # What a later run needs to finish without repeating the effect (e.g. the PDF's hash).
    result = db.Column(db.JSON, nullable=False, default=dict)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
