"""Q-8 under faults (issue 13, item 2): a worker that dies while it issues a certificate
loses nothing; the job is taken up again and finishes once: one certificate, one
PDF, one e-mail, the daily quota used once, the outbox row done.

The last test is the real thing on PostgreSQL + Redis: a `flask jobs worker` process is
SIGKILLed in the middle of the job and a new worker finishes it."""
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models import (
    CertificateQuota,
    CertificateRequest,
    DevMessage,
    JobEffect,
    OutboxJob,
)
from tests.jobs.test_outbox import _parked
from tests.queries.test_certificates import ask, count, pdf_of
from wechat_hall.extensions import db
from wechat_hall.jobs import queue, runner
from wechat_hall.services.queries import certificates

ROOT = Path(__file__).resolve().parents[2]


class Killed(BaseException):
    """What SIGKILL does to a job, as near as one process can: it stops right there,
    past every ``except Exception``, with the row left running."""


def _only(app, model):
    with app.app_context():
        return db.session.execute(db.select(model)).scalar_one()


def _assert_finished_once(app):
    assert count(app, CertificateRequest) == 1 and count(app, JobEffect) == 1
    assert count(app, DevMessage) == 1
    pdf, _ = pdf_of(app)
    request = _only(app, CertificateRequest)
    assert request.status == "sent" and request.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert _only(app, CertificateQuota).used == 1
    row = _only(app, OutboxJob)
    assert row.status == "done" and row.attempts == 2 and row.lease_until is None


def test_a_job_killed_after_its_mail_finishes_once_without_a_second_mail(
        make_app, registry, monkeypatch):
    app = make_app(JOB_LEASE_SECONDS=1)
    _parked(app)
    client = app.test_client()
    from tests.queries.query_helpers import WANG_YMT, activated_user, sign_in
    sign_in(client, activated_user(app, "13900000024", WANG_YMT))
    assert ask(client).status_code == 302
    job_id = _only(app, OutboxJob).id

    def die():
        raise Killed()
    monkeypatch.setattr(certificates, "_test_delay", die)
    with app.app_context(), pytest.raises(Killed):
        runner.run_outbox_job(job_id)
    assert _only(app, OutboxJob).status == "running"
    assert count(app, DevMessage) == 1  # the mail went out before the worker died
    monkeypatch.undo()

    time.sleep(1.2)  # the lease runs out: nobody renews it
    with app.app_context():
        assert queue.reap_expired_leases(app) == [job_id]
        assert runner.run_outbox_job(job_id) == "done"
    _assert_finished_once(app)


def _worker(app, delay):
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": app.config["REDIS_URL"], "PUBLIC_BASE_URL": "http://hall.test",
           "JOB_LEASE_SECONDS": "2", "CERT_ISSUE_TEST_DELAY": str(delay),
           "CERT_DIR": app.config["CERT_DIR"], "HALL_ENV": "development"}
    args = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"]
    return subprocess.Popen(args + ([] if delay else ["--burst"]), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait(what, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if what():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what.__doc__}")


def test_a_real_worker_sigkilled_mid_job_and_a_new_worker_finishes_it_once(
        make_app, registry):
    app = make_app(JOB_LEASE_SECONDS=2)
    if not app.config["REDIS_URL"] or app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the fault test needs PostgreSQL and Redis (scripts/test.sh, second pass)")
    client = app.test_client()
    from tests.queries.query_helpers import WANG_YMT, activated_user, sign_in
    sign_in(client, activated_user(app, "13900000024", WANG_YMT))
    assert ask(client).status_code == 302
    job_id = _only(app, OutboxJob).id
    assert _only(app, OutboxJob).status == "queued"  # with RQ, nobody works it yet

    first = _worker(app, delay=60)
    try:
        def mailed_and_running():
            """the first worker to send the mail and sleep in the job"""
            with app.app_context():
                row = db.session.get(OutboxJob, job_id)
                db.session.refresh(row)
                mails = db.session.execute(db.select(db.func.count(DevMessage.id))).scalar()
                db.session.rollback()
                return row.status == "running" and mails == 1
        _wait(mailed_and_running)
    finally:
        first.send_signal(signal.SIGKILL)
        output = first.communicate(timeout=30)[0].decode(errors="replace")
    assert first.returncode == -signal.SIGKILL, output
    assert _only(app, OutboxJob).status == "running"

    def lease_ran_out():
        """the dead worker's lease to run out"""
        body = client.get("/healthz").get_json()
        return body["jobs"]["stuck"].get("lease_expired") == 1
    _wait(lease_ran_out, timeout=30)
    assert client.get("/healthz").get_json()["status"] == "degraded"

    second = _worker(app, delay=0)  # takes the job up at start, works the queue, exits
    output = second.communicate(timeout=180)[0].decode(errors="replace")
    assert second.returncode == 0, output
    _assert_finished_once(app)
    assert client.get("/healthz").get_json()["status"] == "ok"
