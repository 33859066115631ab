"""WeChat retries a push up to three times: one effect, the same reply (P-1)."""
import re
import threading

from models import OutboxJob
from wechat_hall.extensions import db
from wechat_hall.jobs.worker import run_pending
from wechat_hall.services.wechat import followers, inbound
from wechat_hall.simulator import push

from tests.conftest import WeChatPusher
from tests.waiting import wait_until


class Counting(list):
    """The handler's calls; ``started`` is set when one begins. With a ``gate`` the
    handler holds its answer until the test opens it: a slow handler, without a sleep."""

    def __init__(self, gate=None):
        super().__init__()
        self.started = threading.Event()
        self.gate = gate


def _counting_handler(monkeypatch, gate=None, reply="好的"):
    from handlers import router
    calls = Counting(gate)

    def handler(message):
        calls.append(message.id)
        calls.started.set()
        if gate is not None:
            assert gate.wait(10), "the test never opened the gate"
        return f"{reply} #{len(calls)}"

    monkeypatch.setitem(router.clicks, "COUNT", handler)
    monkeypatch.setattr(router, "patterns", [(re.compile("计数"), handler)]
                        + list(router.patterns))
    return calls


def _spy(monkeypatch, name):
    """Wrap ``inbound.<name>``: the returned list gets one entry per call, after it ran."""
    real, done = getattr(inbound, name), []

    def spy(*args):
        try:
            return real(*args)
        finally:
            done.append(args)
    monkeypatch.setattr(inbound, name, spy)
    return done


def _entered(monkeypatch, name):
    """Wrap ``inbound.<name>``: the returned list gets one entry per call, when it starts."""
    real, entered = getattr(inbound, name), []

    def spy(*args):
        entered.append(args)
        return real(*args)
    monkeypatch.setattr(inbound, name, spy)
    return entered


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
    gate = threading.Event()
    calls = _counting_handler(monkeypatch, gate=gate)
    waiting = _entered(monkeypatch, "_wait_for_first")
    xml = push.text_xml("o_slow", "gh_x", "计数", msg_id=777)
    results = []

    def send():
        pusher = WeChatPusher(app, app.test_client())
        results.append(pusher.reply_text(pusher.post(xml)))

    first = threading.Thread(target=send)
    first.start()
    wait_until(calls.started.is_set, what="the first push to reach its handler")
    retries = [threading.Thread(target=send) for _ in range(2)]
    for t in retries:
        t.start()
    wait_until(lambda: len(waiting) == 2, what="both retries to wait for the first")
    assert results == []  # nobody has an answer while the handler works
    gate.set()
    for t in [first] + retries:
        t.join(10)
    assert len(calls) == 1
    assert results == ["好的 #1"] * 3


def test_over_budget_answers_success_and_the_reply_follows_as_a_cs_message(make_app, monkeypatch):
    app = make_app(WECHAT_REPLY_BUDGET=0.2)
    wechat = WeChatPusher(app, app.test_client())
    gate = threading.Event()  # the handler answers only after the budget is spent
    calls = _counting_handler(monkeypatch, gate=gate, reply="慢的回答")
    replied_late = _spy(monkeypatch, "_reply_late")
    xml = push.text_xml("o_budget", "gh_x", "计数", msg_id=888)
    resp = wechat.post(xml)
    assert resp.get_data(as_text=True) == "success"
    # A retry during the work gets `success` too and does not run the handler again.
    assert wechat.post(xml).get_data(as_text=True) == "success"
    assert len(calls) == 1 and not replied_late
    gate.set()
    wait_until(lambda: replied_late, what="the late reply to be queued")
    # Time passes: the process has written its activity (WeChat knows the sender).
    followers.flush_activity(app)
    run_pending(app)
    with app.app_context():
        job = db.session.execute(db.select(OutboxJob).filter_by(
            func="wechat.send_text")).scalar_one_or_none()
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
