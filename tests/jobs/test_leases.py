"""Job leases (P-7, issue 13 item 2): a running row's lease is renewed while its job runs,
runs out when its worker dies, and then the row is taken up again; only the lease's
owner may finish it; /healthz reports rows that are stuck."""
import time
from datetime import timedelta

from sqlalchemy import update

from models import OutboxJob
from tests.jobs.test_outbox import _count, _parked, _row, _submit
from wechat_hall.extensions import db
from wechat_hall.jobs import job, queue, runner
from wechat_hall.jobs.runner import lease_now, run_outbox_job
from wechat_hall.redis_store import get_redis


@job("test.slow_reaped")
def slow_job(payload, job_id=None):
    """Runs three leases long, then asks the dispatcher whether it would take it back."""
    time.sleep(payload["seconds"])
    get_redis().set("test:reaped", ",".join(map(str, queue.reap_expired_leases(
        runner.bound_app()))) or "none")


@job("test.stolen")
def stolen_job(payload, job_id=None):
    """While it runs, its row is taken back and claimed by another worker."""
    with db.engine.begin() as conn:
        conn.execute(update(OutboxJob).where(OutboxJob.id == job_id)
                     .values(lease_owner="another-worker"))
    get_redis().incr("test:count:stolen")


def _die_as_running(app, job_id, seconds_ago=5):
    """What a SIGKILLed worker leaves behind: running, its lease in the past."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(update(OutboxJob).where(OutboxJob.id == job_id).values(
            status=runner.RUNNING, attempts=1, lease_owner="dead-worker",
            lease_until=lease_now() - timedelta(seconds=seconds_ago)))


def test_a_claim_takes_a_lease_and_done_clears_it(app):
    _parked(app)
    job_id = _submit(app, "test.count", name="lease")
    with app.app_context():
        assert run_outbox_job(job_id) == "done"
    row = _row(app, job_id)
    assert row.status == "done" and row.lease_until is None and row.lease_owner


def test_the_heartbeat_keeps_a_long_job_from_being_taken_back(make_app):
    app = make_app(JOB_LEASE_SECONDS=1)
    _parked(app)
    job_id = _submit(app, "test.slow_reaped", seconds=3)
    with app.app_context():
        assert run_outbox_job(job_id) == "done"
        assert get_redis().get("test:reaped") == b"none"
    assert _row(app, job_id).attempts == 1


def test_a_dead_workers_row_is_taken_up_again_and_done_once(app):
    _parked(app)
    job_id = _submit(app, "test.count", name="dead")
    _die_as_running(app, job_id)
    with app.app_context():
        assert queue.reap_expired_leases(app) == [job_id]
        assert queue.reap_expired_leases(app) == []
        row = db.session.get(OutboxJob, job_id)
        assert row.status == "pending" and "worker lost" in row.error
        assert run_outbox_job(job_id) == "done"
        assert run_outbox_job(job_id) == "skipped"
    assert _count(app, "dead") == 1
    row = _row(app, job_id)
    assert row.status == "done" and row.attempts == 2


def test_a_live_lease_is_not_taken_back(app):
    _parked(app)
    job_id = _submit(app, "test.count", name="alive")
    _die_as_running(app, job_id, seconds_ago=-30)  # its lease still runs 30 s
    with app.app_context():
        assert queue.reap_expired_leases(app) == []
    assert _row(app, job_id).status == "running"


def test_a_row_that_lost_its_worker_too_often_fails_for_good(app):
    _parked(app)
    job_id = _submit(app, "test.count", name="often")
    _die_as_running(app, job_id)
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(update(OutboxJob).where(OutboxJob.id == job_id)
                     .values(attempts=queue.MAX_ATTEMPTS))
    with app.app_context():
        queue.reap_expired_leases(app)
    assert _row(app, job_id).status == "failed"


def test_a_runner_whose_lease_was_taken_cannot_finish_the_row(app):
    _parked(app)
    job_id = _submit(app, "test.stolen")
    with app.app_context():
        assert run_outbox_job(job_id) == "lost"
    row = _row(app, job_id)
    assert row.status == "running" and row.lease_owner == "another-worker"


def test_healthz_reports_stuck_jobs_until_they_are_taken_back(app, client):
    assert client.get("/healthz").get_json()["status"] == "ok"
    _parked(app)
    job_id = _submit(app, "test.count", name="stuck")
    _die_as_running(app, job_id)
    resp = client.get("/healthz")
    body = resp.get_json()
    assert resp.status_code == 200 and body["status"] == "degraded"
    assert body["jobs"]["stuck"] == {"lease_expired": 1}
    with app.app_context():
        queue.dispatch_pending(app)
        run_outbox_job(job_id)
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["jobs"]["stuck"] == {}


def test_a_text_job_taken_up_again_does_not_send_twice(app, monkeypatch):
    from wechat_hall.services.wechat import api, messages
    sent = []
    monkeypatch.setattr(api, "send_text", lambda openid, text: sent.append((openid, text)))
    _parked(app)
    with app.app_context():
        row = messages.queue_text("o-reader", "您好")
        db.session.commit()
        job_id = row.id
        messages.send_text_job({"openid": "o-reader", "text": "您好"}, job_id=job_id)
        db.session.commit()
    _die_as_running(app, job_id)  # the worker died after the send, before its end
    with app.app_context():
        queue.reap_expired_leases(app)
        assert run_outbox_job(job_id) == "done"
    assert sent == [("o-reader", "您好")]
