"""Issue 15: pushes are answered by a lean route in front of Flask (lean_routes.py), their replies are
cached by the process's writer, and the push's Redis questions go in one raw round trip.
Each keeps the rule it replaced: the same answers as through Flask, the same edge checks,
a retry gets the first reply, a lost connection is a failure the callers handle."""
import io
import os

import pytest
import redis as redis_py

from wechat_hall.redis_store import get_redis
from wechat_hall.services import redis_batch
from wechat_hall.services.wechat import inbound
from wechat_hall.simulator import push


def _answers(make_app, gate):
    app = make_app(LEAN_ROUTES=gate)
    client = app.test_client()
    cfg = app.config
    out = []
    for openid, content in (("o_gate_1", "预约"), ("o_gate_2", "你好")):
        args, body = push.sign(push.text_xml(openid, "gh_testaccount", content, msg_id=7),
                               cfg["WECHAT_TOKEN"], cfg["WECHAT_APPID"],
                               cfg["WECHAT_AES_KEY"] or None)
        resp = client.post("/wechat", query_string=args, data=body, content_type="text/xml")
        text = push.open_reply(resp.get_data(as_text=True), cfg["WECHAT_TOKEN"],
                               cfg["WECHAT_APPID"], cfg["WECHAT_AES_KEY"] or None)
        out.append((resp.status_code, resp.headers["Content-Type"], text.split("<Content>")[-1]))
    forged = client.post("/wechat?signature=x&timestamp=1&nonce=1", data=b"<xml/>")
    out.append((forged.status_code, forged.headers["Content-Type"], forged.get_data(as_text=True)))
    return out


def test_the_gate_answers_as_flask_did(make_app):
    through_gate, through_flask = _answers(make_app, True), _answers(make_app, False)
    assert through_gate == through_flask
    assert through_gate[0][0] == 200 and "业务预约" in through_gate[0][2]
    assert through_gate[2][:1] == (403,)


def test_a_push_keeps_its_request_id_headers_and_log_counters(app, wechat):
    from wechat_hall.telemetry import metrics
    before = metrics.child(metrics.PUSHES, "text")._value.get()
    cfg = app.config
    args, body = push.sign(push.text_xml("o_gate_rid", "gh_testaccount", "预约"),
                           cfg["WECHAT_TOKEN"], cfg["WECHAT_APPID"], wechat.aes_key)
    resp = wechat.client.post("/wechat", query_string=args, data=body,
                              headers={"X-Request-Id": "push-req-0001"})
    assert resp.status_code == 200
    assert resp.headers["X-Request-Id"] == "push-req-0001"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in resp.headers
    assert metrics.child(metrics.PUSHES, "text")._value.get() == before + 1


def test_control_characters_in_the_query_are_refused_in_chinese(client):
    resp = client.post("/wechat?signature=x%00&timestamp=1&nonce=1", data=b"<xml/>")
    assert resp.status_code == 400 and "控制字符" in resp.get_data(as_text=True)


def test_other_methods_and_paths_still_reach_flask(client):
    assert client.get("/wechat").status_code == 403  # the URL check, Flask's view
    assert client.put("/wechat").status_code == 405
    assert client.post("/wechat/").status_code == 404


def test_an_unexpected_error_is_a_chinese_500_not_a_traceback(app, wechat, monkeypatch):
    def broken(*_):
        raise RuntimeError("boom")
    monkeypatch.setattr(inbound, "open_push", broken)
    resp = wechat.text("o_gate_boom", "预约")
    assert resp.status_code == 500 and "系统繁忙" in resp.get_data(as_text=True)


def test_the_reply_is_cached_by_the_writer_and_a_retry_gets_it(app, wechat):
    first = wechat.text("o_gate_retry", "预约", msg_id=424242)
    again = wechat.text("o_gate_retry", "预约", msg_id=424242)  # may come before the write
    assert wechat.reply_text(first) == wechat.reply_text(again)
    redis_batch.flush_writers(app)
    with app.app_context():
        keys = [k for k in get_redis().scan_iter("wechat:push:*")]
        cached = [get_redis().get(k) for k in keys]
    assert any(c and "业务预约" in c.decode() for c in cached if c != inbound._PENDING)


def test_a_writer_that_cannot_reach_redis_counts_and_drops():
    dead = redis_py.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    writer = redis_batch.Writer(dead, "test-writer")
    writer.pending.append(("SET", "k", "v"))
    assert writer.flush() == 1
    assert writer.pending == [] and writer.failed == 1


def test_the_writer_thread_ends_when_idle(app, monkeypatch):
    monkeypatch.setattr(redis_batch.Writer, "IDLE", 0.05)
    with app.app_context():
        writer = redis_batch.Writer(get_redis(), "test-idle")
        writer.put("SET", "gate:idle", "1", "EX", 10)
        writer.thread.join(timeout=5)
        assert writer.thread is None or not writer.thread.is_alive()
        assert get_redis().get("gate:idle") == b"1"


@pytest.fixture
def real_redis():
    url = os.environ.get("HALL_TEST_REDIS_URL")
    if not url:
        pytest.skip("the raw round trip runs on a real Redis (HALL_TEST_REDIS_URL)")
    return redis_py.Redis.from_url(url)


def test_the_round_trip_reads_every_reply_in_order_past_an_error(real_redis):
    real_redis.delete("gate:list", "gate:str", "gate:ok")
    real_redis.rpush("gate:list", "a")
    real_redis.set("gate:ok", "OK")
    replies, per_probe = redis_batch.execute(
        real_redis, [("SET", "gate:str", "x", "NX", "EX", 10), ("GET", "gate:list")],
        [redis_batch.Probe("p", [("SET", "gate:str", "y", "NX"), ("GET", "gate:str"),
                                 ("GET", "gate:ok")], lambda r: r)])
    assert replies[0] is True and isinstance(replies[1], redis_py.ResponseError)
    assert per_probe == [[None, b"x", b"OK"]]  # a value reading OK stays a value
    assert real_redis.ping()  # the connection went back in step


def test_a_connection_lost_between_pushes_is_reopened(real_redis):
    """A Redis restart closes the pooled connections from the server's side."""
    (ident,), _ = redis_batch.execute(real_redis, [("CLIENT", "ID")])
    other = redis_py.Redis(connection_pool=redis_py.ConnectionPool(
        **real_redis.connection_pool.connection_kwargs))
    other.execute_command("CLIENT", "KILL", "ID", ident)
    replies, _ = redis_batch.execute(real_redis, [("SET", "gate:after", "1", "EX", 10)])
    assert replies == [True]
    (again,), _ = redis_batch.execute(real_redis, [("CLIENT", "ID")])
    assert again != ident


def test_a_dead_redis_is_every_reply_failed():
    dead = redis_py.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    replies, per_probe = redis_batch.execute(
        dead, [("GET", "a")], [redis_batch.Probe("p", [("GET", "b")], lambda r: r)])
    assert redis_batch.failed(replies[0]) and redis_batch.failed(per_probe[0][0])


def test_io_bodies_are_read_once(client):
    body = io.BytesIO(b"<xml></xml>")
    resp = client.post("/wechat?signature=x&timestamp=1&nonce=1", input_stream=body,
                       content_type="text/xml")
    assert resp.status_code == 403 and body.tell() == len(b"<xml></xml>")


def test_queued_replies_are_written_when_the_process_exits(real_redis):
    """What a writer still holds at a normal exit (gunicorn's graceful stop) is written."""
    import subprocess
    import sys
    real_redis.delete("gate:at-exit")
    url = os.environ["HALL_TEST_REDIS_URL"]
    script = (
        "import redis\n"
        "from wechat_hall.services import exit_flush, redis_batch\n"
        f"r = redis.Redis.from_url({url!r})\n"
        "w = exit_flush.register(redis_batch.Writer(r, 'exit'))\n"
        "w.pending.append(('SET', 'gate:at-exit', 'written', 'EX', 30))\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run([sys.executable, "-c", script], cwd=root, check=True, timeout=60)
    assert real_redis.get("gate:at-exit") == b"written"
