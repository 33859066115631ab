"""The job outbox (P-7): a job that must not be lost is a row first.

The row is written in the same transaction as the change that asks for the job, so a
crash or a Redis outage between commit and enqueue loses nothing: the dispatcher
delivers pending rows to RQ later, and jobs are idempotent on the row's id.
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
    # The request (or timed job) that asked for it: its log lines carry the same id.
    request_id = db.Column(db.String(64))
