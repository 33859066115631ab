"""Jobs (P-7): the outbox delivers once, after commit, even if Redis was down."""
import fakeredis
import pytest
import redis
from rq import Queue, SimpleWorker

from models import OutboxJob
from wechat_hall.extensions import db
from wechat_hall.jobs import job, queue, scheduler, submit
from wechat_hall.jobs.registry import PERIODIC
from wechat_hall.redis_store import get_redis


@job("test.count")
def count_job(payload, job_id=None):
    get_redis().incr(f"test:count:{payload['name']}")


@job("test.fail")
def fail_job(payload, job_id=None):
    raise RuntimeError("always fails")


class Refusal(Exception):
    permanent = True


@job("test.refused")
def refused_job(payload, job_id=None):
    raise Refusal("WeChat said no")


def _dead_redis():
    from redis.backoff import NoBackoff
    from redis.retry import Retry
    return redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2,
                       retry=Retry(NoBackoff(), 0))


def _parked(app):
    """Queues nobody works: the test runs the row itself."""
    app.extensions["job_queues"] = _rq_queues(app, fakeredis.FakeRedis(server=fakeredis.FakeServer()))


def _count(app, name):
    with app.app_context():
        return int(get_redis().get(f"test:count:{name}") or 0)


def _row(app, job_id):
    with app.app_context():
        return db.session.get(OutboxJob, job_id)


def _submit(app, func, **payload):
    with app.app_context():
        row = submit(func, payload)
        db.session.commit()
        return row.id


def _rq_queues(app, conn):
    return {name: Queue(name, connection=conn) for name in queue.QUEUES}


def _working_connection(app):
    if app.config["REDIS_URL"]:
        return app.extensions["redis"]
    return fakeredis.FakeRedis(server=fakeredis.FakeServer())


def _work(app, conn):
    with app.app_context():
        worker = SimpleWorker([Queue(n, connection=conn) for n in queue.QUEUES], connection=conn)
        worker.work(burst=True, with_scheduler=False)


def test_a_committed_job_runs_once(app):
    job_id = _submit(app, "test.count", name="a")
    if app.extensions["job_queues"]:
        _work(app, app.extensions["redis"])
    queue.drain()
    assert _count(app, "a") == 1
    assert _row(app, job_id).status == "done"


def test_a_rolled_back_job_never_runs(app):
    with app.app_context():
        submit("test.count", {"name": "rolled"})
        db.session.rollback()
        queue.dispatch_pending(app)
    queue.drain()
    assert _count(app, "rolled") == 0
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(OutboxJob.id))).scalar() == 0


def test_same_dedup_key_is_one_job(app):
    with app.app_context():
        first = submit("test.count", {"name": "d"}, dedup_key="once")
        db.session.commit()
        second = submit("test.count", {"name": "d"}, dedup_key="once")
        db.session.commit()
        assert first.id == second.id


def test_unknown_job_name_is_refused_at_submit(app):
    with app.app_context(), pytest.raises(ValueError):
        submit("no.such.job", {})


def test_redis_down_at_commit_then_delivered_once_when_it_returns(app):
    app.extensions["job_queues"] = _rq_queues(app, _dead_redis())
    job_id = _submit(app, "test.count", name="outage")
    assert _row(app, job_id).status == "pending"  # nothing lost, nothing run
    assert _count(app, "outage") == 0

    alive = _working_connection(app)
    app.extensions["job_queues"] = _rq_queues(app, alive)
    with app.app_context():
        assert queue.dispatch_pending(app) == 1
        assert queue.dispatch_pending(app) == 0  # already queued: not twice
    assert _row(app, job_id).status == "queued"
    _work(app, alive)
    assert _count(app, "outage") == 1
    assert _row(app, job_id).status == "done"


def test_a_job_delivered_twice_runs_once(app):
    from wechat_hall.jobs.runner import run_outbox_job
    _parked(app)
    job_id = _submit(app, "test.count", name="twice")
    with app.app_context():
        assert run_outbox_job(job_id) == "done"
        assert run_outbox_job(job_id) == "skipped"
    assert _count(app, "twice") == 1


def test_a_failing_job_is_retried_later_then_marked_failed(app):
    from wechat_hall.jobs.runner import run_outbox_job
    _parked(app)
    job_id = _submit(app, "test.fail")
    with app.app_context():
        for attempt in range(1, queue.MAX_ATTEMPTS + 1):
            assert run_outbox_job(job_id) == "failed"
            row = db.session.get(OutboxJob, job_id)
            db.session.refresh(row)
            assert row.attempts == attempt
            assert "always fails" in row.error
        assert row.status == "failed"


def test_a_permanent_refusal_is_not_retried(app):
    from wechat_hall.jobs.runner import run_outbox_job
    _parked(app)
    job_id = _submit(app, "test.refused")
    with app.app_context():
        run_outbox_job(job_id)
    row = _row(app, job_id)
    assert row.status == "failed" and row.attempts == 1


def test_scheduler_runs_each_periodic_job_once_per_interval_across_schedulers(app, monkeypatch):
    ran = []
    monkeypatch.setitem(PERIODIC, "test.tick", (60, lambda: ran.append(1)))
    now = 1_900_000_020.0
    scheduler.tick(app, now=now)
    scheduler.tick(app, now=now + 1)      # a second scheduler in the same minute
    assert len(ran) == 1
    scheduler.tick(app, now=now + 60)
    assert len(ran) == 2
