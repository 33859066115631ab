"""Structured logs (issue 17): one JSON line per request and per job, with a request id
that follows a push into the job it causes; personal data masked."""
import io
import json
import logging

import pytest

from tests.support.cs_helpers import seed_cs
from wechat_hall.jobs.worker import run_pending
from wechat_hall.telemetry.logs import JsonFormatter, scrub


@pytest.fixture
def lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("hall.request", "wechat_hall.jobs")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lambda: [json.loads(x) for x in stream.getvalue().splitlines()]
    for logger, level in zip(loggers, levels):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_a_request_is_one_json_line_with_its_request_id(client, lines):
    resp = client.get("/h5/", headers={"X-Request-Id": "nginx-0123456789abcdef"})
    assert resp.headers["X-Request-Id"] == "nginx-0123456789abcdef"
    [line] = [x for x in lines() if x.get("event") == "request"]
    assert line["request_id"] == "nginx-0123456789abcdef"
    assert line["endpoint"] == "hall.home" and line["status"] == 200
    assert line["method"] == "GET" and line["path"] == "/h5/"
    assert line["duration_ms"] >= 0 and line["level"] == "INFO" and line["pid"]


def test_an_unusable_request_id_is_replaced(client, lines):
    resp = client.get("/h5/", headers={"X-Request-Id": "<script>"})
    assert resp.headers["X-Request-Id"] != "<script>"
    assert len(resp.headers["X-Request-Id"]) == 16
    assert lines()[-1]["request_id"] == resp.headers["X-Request-Id"]


def test_the_push_request_id_follows_into_its_job(app, wechat, lines):
    seed_cs(app)
    wechat.text("o_logs_investor_01", "一码通怎么激活")
    resp = wechat.text("o_logs_investor_01", "转人工")
    rid = resp.headers["X-Request-Id"]
    run_pending(app)
    jobs = [x for x in lines() if x.get("event") == "job"]
    [job] = [x for x in jobs if x["job"] == "cs.assign"]
    assert job["request_id"] == rid and job["outcome"] == "done" and job["queue"] == "high"
    [push] = [x for x in lines() if x.get("request_id") == rid and x.get("event") == "request"]
    assert push["endpoint"] == "wechat.receive" and push["push"] == "text"


def test_paths_and_messages_are_scrubbed():
    assert scrub("sms to 13800000088 failed") == "sms to 138****0088 failed"
    assert scrub("id 11010119900307123X wrong") == "id 110****123X wrong"
    assert scrub("user oLbKLnOAJK3K2fa1pzvFieMrhz-P said") == "user oLbK…hz-P said"
    # Not personal: an order number, a 一码通 number, a time.
    assert scrub("order 2026120112345678 ymt 180312600024 at 12:00") == \
        "order 2026120112345678 ymt 180312600024 at 12:00"
