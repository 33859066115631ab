"""WeChat retries a push up to three times: one effect, the same reply (P-1)."""
import threading
import time

from models import OutboxJob
from wechat_hall.extensions import db
from wechat_hall.jobs.worker import run_pending
from wechat_hall.simulator import push


def _counting_handler(monkeypatch, delay=0.0, reply="好的"):
    from handlers import router
    calls = []

    def handler(message):
        calls.append(message.id)
        time.sleep(delay)
        return f"{reply} #{len(calls)}"

    monkeypatch.setitem(router.clicks, "COUNT", handler)
    monkeypatch.setattr(router, "patterns", [(__import__("re").compile("计数"), handler)]
                        + list(router.patterns))
    return calls


def test_same_msgid_three_times_runs_once_and_replies_the_same(wechat, monkeypatch):
    calls = _counting_handler(monkeypatch)
    xml = push.text_xml("o_retry", "gh_x", "计数", msg_id=123456789)
    replies = [wechat.reply_text(wechat.post(xml)) for _ in range(3)]
    assert len(calls) == 1
    assert replies == ["好的 #1"] * 3


def test_different_msgids_each_take_effect(wechat, monkeypatch):
    calls = _counting_handler(monkeypatch)
    wechat.text("o_retry", "计数", msg_id=1)
    wechat.text("o_retry", "计数", msg_id=2)
    assert len(calls) == 2


def test_event_retries_are_deduplicated_by_sender_time_event_and_key(wechat, monkeypatch):
    calls = _counting_handler(monkeypatch)
    xml = push.event_xml("o_retry", "gh_x", "CLICK", "COUNT", create_time=1_800_000_000)
    first = wechat.reply_text(wechat.post(xml))
    second = wechat.reply_text(wechat.post(xml))
    assert len(calls) == 1 and first == second
    other = push.event_xml("o_retry", "gh_x", "CLICK", "COUNT", create_time=1_800_000_001)
    wechat.post(other)
    assert len(calls) == 2


def test_retry_while_the_first_is_still_working_waits_for_its_reply(app, wechat, monkeypatch):
    calls = _counting_handler(monkeypatch, delay=0.6)
    xml = push.text_xml("o_slow", "gh_x", "计数", msg_id=777)
    results = []

    def send():
        client = app.test_client()
        from tests.conftest import WeChatPusher
        pusher = WeChatPusher(app, client)
        results.append(pusher.reply_text(pusher.post(xml)))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert results == ["好的 #1"] * 3


def test_over_budget_answers_success_and_the_reply_follows_as_a_cs_message(make_app, monkeypatch):
    app = make_app(WECHAT_REPLY_BUDGET=0.2)
    from tests.conftest import WeChatPusher
    wechat = WeChatPusher(app, app.test_client())
    calls = _counting_handler(monkeypatch, delay=0.6, reply="慢的回答")
    xml = push.text_xml("o_budget", "gh_x", "计数", msg_id=888)
    resp = wechat.post(xml)
    assert resp.get_data(as_text=True) == "success"
    # A retry during the work gets `success` too and does not run the handler again.
    assert wechat.post(xml).get_data(as_text=True) == "success"
    deadline = time.time() + 5
    job = None
    while time.time() < deadline:
        run_pending(app, timeout=1)
        with app.app_context():
            job = db.session.execute(db.select(OutboxJob).filter_by(
                func="wechat.send_text")).scalar_one_or_none()
            if job is not None and job.status in ("done", "failed"):
                break
        time.sleep(0.05)
    assert len(calls) == 1
    assert job is not None
    assert job.payload == {"openid": "o_budget", "text": "慢的回答 #1"}
    assert job.status == "done", job.error
    # WeChat (the simulator's fake API) received it as a customer-service text.
    from models.simulator import SimOutbound
    with app.app_context():
        sent = db.session.execute(db.select(SimOutbound).filter_by(openid="o_budget")).scalars().all()
        assert [(s.kind, s.errcode, s.payload["text"]["content"]) for s in sent] == [
            ("custom", 0, "慢的回答 #1")]


def test_redis_down_still_answers_instead_of_500(app, wechat):
    from redis.backoff import NoBackoff
    from redis.retry import Retry
    import redis
    app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2,
                                          retry=Retry(NoBackoff(), 0))
    resp = wechat.text("o_no_redis", "预约")
    assert resp.status_code == 200
    assert "业务预约" in wechat.reply_text(resp)
    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and health.get_json()["redis"].startswith("error")
