"""Revocation across processes: real gunicorn, two workers, PostgreSQL + Redis (issue 13).

A staff member signs in through one worker; a copy of the cookie opens /staff/cs/ on
both workers; after 退出登录 on one worker the copy opens nothing on either. The same
server shows that a used (timestamp, nonce) is refused with another body whichever
worker gets it, and that the access log (gunicorn.conf.py) keeps no query string.
Only in the PostgreSQL + Redis pass: the embedded stand-ins live in one process.
"""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from wechat_hall.simulator import push

from tests.staff.staff_helpers import csrf_from, make_staff

ROOT = Path(__file__).resolve().parents[2]
PORT = 51000 + os.getpid() % 900
BASE = f"http://127.0.0.1:{PORT}"

pytestmark = pytest.mark.skipif(
    not (os.environ.get("HALL_TEST_DATABASE_URL") and os.environ.get("HALL_TEST_REDIS_URL")),
    reason="needs PostgreSQL and Redis shared by the gunicorn workers")


@pytest.fixture
def gunicorn(app, tmp_path):
    log = tmp_path / "access.log"
    env = {**os.environ, "HALL_ENV": "development",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": app.config["REDIS_URL"], "SECRET_KEY": "gunicorn-test-secret",
           "WECHAT_TOKEN": "testtoken", "WECHAT_APPID": "wxtest0000000001",
           "WECHAT_AES_KEY": "", "PUBLIC_BASE_URL": BASE, "GUNICORN_ACCESS_LOG": str(log)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "2",
         "--threads", "2", "-b", f"127.0.0.1:{PORT}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(BASE + "/healthz", timeout=10).status_code in (200, 503):
                break
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])
        time.sleep(0.3)
    yield log
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _get(path, sid):
    """A new connection each time, so either worker may take it."""
    return requests.get(BASE + path, cookies={"session": sid}, allow_redirects=False,
                        headers={"Connection": "close"}, timeout=10)


def _workers(log, path):
    pids = re.findall(r"\[<?(\d+)>?\] \"GET " + re.escape(path) + " ", log.read_text())
    return set(pids)


def _on_both_workers(log, path, sid, expect):
    """Requests with the cookie until both workers have answered one; each as expected."""
    for _ in range(80):
        assert expect(_get(path, sid))
        if len(_workers(log, path)) >= 2:
            return
    pytest.fail("the requests never reached the second worker")


def test_logout_on_one_worker_ends_the_session_on_both(app, gunicorn):
    make_staff(app, "agent_g", "agent", password="Agent@2026")
    browser = requests.Session()
    page = browser.get(BASE + "/staff/login", timeout=10)
    resp = browser.post(BASE + "/staff/login", allow_redirects=False, timeout=10, data={
        "csrf_token": csrf_from(page.text), "username": "agent_g", "password": "Agent@2026"})
    assert resp.status_code == 302
    copied = browser.cookies["session"]
    _on_both_workers(gunicorn, "/staff/cs/", copied, lambda r: r.status_code == 200)

    console = browser.get(BASE + "/staff/", timeout=10)
    assert browser.post(BASE + "/staff/logout", allow_redirects=False, timeout=10,
                        data={"csrf_token": csrf_from(console.text)}).status_code == 302
    _on_both_workers(gunicorn, "/staff/", copied,
                     lambda r: r.status_code == 302 and "/staff/login" in r.headers["Location"])


def test_a_used_pair_is_refused_with_another_body_by_every_worker(app, gunicorn):
    args, body = push.sign(push.text_xml("o_gunicorn", "gh_x", "预约"), "testtoken")
    first = requests.post(BASE + "/wechat", params=args, data=body.encode(), timeout=10,
                          headers={"Connection": "close"})
    assert first.status_code == 200 and "业务预约" in first.text
    forged = push.text_xml("o_someone", "gh_x", "转人工").encode()
    for _ in range(80):
        resp = requests.post(BASE + "/wechat", params=args, data=forged, timeout=10,
                             headers={"Connection": "close"})
        assert resp.status_code == 403
        pids = set(re.findall(r"\[<?(\d+)>?\] \"POST /wechat ", gunicorn.read_text()))
        if len(pids) >= 2:
            break
    else:
        pytest.fail("the pushes never reached the second worker")
    again = requests.post(BASE + "/wechat", params=args, data=body.encode(), timeout=10)
    assert again.status_code == 200 and again.text == first.text  # WeChat's retry
    logged = gunicorn.read_text()
    assert "POST /wechat HTTP/1.1" in logged
    assert args["signature"] not in logged and "nonce" not in logged and "?" not in logged
