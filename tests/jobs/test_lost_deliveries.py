"""A delivery lost between RQ and the outbox (P-7): a worker took a row's job from Redis
and died before it claimed the row, so the row stays ``queued`` and no lease runs out.
The dispatcher sees that RQ no longer holds the job and delivers the row again; a job
still waiting in its queue (a backlog) is left alone. Found by the cluster test in CI,
which SIGKILLs a worker half-way through 100 jobs."""
from datetime import timedelta

from rq import Queue
from sqlalchemy import update

from models import OutboxJob
from tests.jobs.test_outbox import (_count, _dead_redis, _row, _rq_queues, _submit, _work,
                                    _working_connection)
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.jobs import queue


def _queued_ago(app, job_id, seconds):
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(update(OutboxJob).where(OutboxJob.id == job_id)
                     .values(queued_at=clock.utcnow() - timedelta(seconds=seconds)))


def _taken_by_a_worker_that_dies(conn):
    """What RQ's worker does first (LMOVE the job to the queue's intermediate list and
    fetch it), and nothing after: the worker is killed before it runs the job."""
    queues = [Queue(name, connection=conn) for name in queue.QUEUES]
    taken = Queue.dequeue_any(queues, None, connection=conn)
    assert taken is not None
    return taken[0].id


def _delivered(app):
    conn = _working_connection(app)
    app.extensions["job_queues"] = _rq_queues(app, conn)
    return conn


def test_a_job_taken_by_a_worker_that_died_before_its_claim_is_delivered_again(app):
    conn = _delivered(app)
    job_id = _submit(app, "test.count", name="lost")
    assert _row(app, job_id).status == "queued"
    assert _taken_by_a_worker_that_dies(conn) == queue.rq_job_id(job_id)
    _queued_ago(app, job_id, 5)
    with app.app_context():
        assert queue.take_back_lost_deliveries(app) == []  # a live worker may still claim it
    _queued_ago(app, job_id, queue.LOST_AFTER.total_seconds() + 1)
    with app.app_context():
        assert queue.dispatch_pending(app) == 1
        assert queue.dispatch_pending(app) == 0  # in RQ's queue again: not twice
    # RQ's copy in the dead worker's intermediate list is gone, so RQ will not fail it.
    assert not any(conn.llen(Queue(name, connection=conn).intermediate_queue_key)
                   for name in queue.QUEUES)
    assert _row(app, job_id).status == "queued"
    _work(app, conn)
    assert _count(app, "lost") == 1
    row = _row(app, job_id)
    assert row.status == "done" and row.attempts == 1


def test_a_job_still_waiting_in_its_queue_is_not_delivered_twice(app):
    conn = _delivered(app)
    job_ids = [_submit(app, "test.count", name="backlog") for _ in range(3)]
    for job_id in job_ids:
        _queued_ago(app, job_id, 3600)  # a long backlog: queued an hour ago, still waiting
    with app.app_context():
        assert queue.take_back_lost_deliveries(app) == []
        assert queue.dispatch_pending(app) == 0
    assert sum(Queue(name, connection=conn).count for name in queue.QUEUES) == 3
    _work(app, conn)
    assert _count(app, "backlog") == 3


def test_a_claimed_row_is_not_taken_back(app):
    conn = _delivered(app)
    job_id = _submit(app, "test.count", name="claimed")
    _work(app, conn)
    _queued_ago(app, job_id, 3600)
    with app.app_context():
        assert queue.take_back_lost_deliveries(app) == []
    assert _row(app, job_id).status == "done" and _count(app, "claimed") == 1


def test_redis_emptied_by_a_restart_the_queued_rows_are_delivered_again(app):
    conn = _delivered(app)
    job_id = _submit(app, "test.count", name="restart")
    for name in queue.QUEUES:
        conn.delete(Queue(name, connection=conn).key)
    _queued_ago(app, job_id, 60)
    with app.app_context():
        assert queue.dispatch_pending(app) == 1
    _work(app, conn)
    assert _count(app, "restart") == 1 and _row(app, job_id).status == "done"


def test_with_redis_down_nothing_is_decided(app):
    conn = _delivered(app)
    job_id = _submit(app, "test.count", name="down")
    _taken_by_a_worker_that_dies(conn)
    _queued_ago(app, job_id, 3600)
    app.extensions["job_queues"] = _rq_queues(app, _dead_redis())
    with app.app_context():
        assert queue.take_back_lost_deliveries(app) == []
    assert _row(app, job_id).status == "queued"
