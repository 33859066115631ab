"""Forged and replayed pushes (issue 13, item 1; item 9: marks without Redis).

An attacker who has seen one signed push URL (an access log) knows a valid
``timestamp, nonce, signature``. In safe mode a plain body under it is refused; in any
mode the pair works again only with the identical body (WeChat's own retry, answered with
the cached reply), across processes, and also while Redis is unreachable.
"""
import re

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from models import CsConversation, WechatPushMark
from wechat_hall.extensions import db
from wechat_hall.services.wechat import push_ledger
from wechat_hall.simulator import push

from tests.conftest import WeChatPusher


def _signed_push(app, xml):
    cfg = app.config
    return push.sign(xml, cfg["WECHAT_TOKEN"], cfg["WECHAT_APPID"],
                     cfg["WECHAT_AES_KEY"] or None)


def _post(client, args, body):
    return client.post("/wechat", query_string=args, data=body, content_type="text/xml")


def _conversations(app):
    with app.app_context():
        return db.session.execute(db.select(db.func.count(CsConversation.id))).scalar_one()


def _unreachable_redis(app):
    app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2,
                                          retry=Retry(NoBackoff(), 0))


def test_plain_push_under_a_seen_url_is_refused_in_safe_mode(app, client):
    """The attack of the issue: the URL values of a real encrypted push, encrypt_type and
    msg_signature dropped, a plain 转人工 as somebody else."""
    real_args, real_body = _signed_push(app, push.text_xml("o_victim", "gh_x", "你好"))
    assert _post(client, real_args, real_body).status_code == 200
    forged_args = {k: v for k, v in real_args.items()
                   if k not in ("encrypt_type", "msg_signature")}
    forged = push.text_xml("o_someone_else", "gh_x", "转人工")
    resp = _post(client, forged_args, forged)
    assert resp.status_code == 403
    # A fresh, correctly URL-signed plain push is refused too: only ciphertext counts.
    args, body = push.sign(push.text_xml("o_someone_else", "gh_x", "转人工"),
                           app.config["WECHAT_TOKEN"])
    assert _post(client, args, body).status_code == 403
    assert _conversations(app) == 0


def test_compatible_mode_is_an_explicit_setting(make_app):
    app = make_app(WECHAT_COMPATIBLE_MODE=True)
    args, body = push.sign(push.text_xml("o_plain", "gh_x", "预约"), app.config["WECHAT_TOKEN"])
    resp = _post(app.test_client(), args, body)
    assert resp.status_code == 200
    assert "<Encrypt>" not in resp.get_data(as_text=True)
    assert "业务预约" in resp.get_data(as_text=True)


def test_wechat_retry_with_the_same_pair_and_body_gets_the_cached_reply(app, client):
    wechat = WeChatPusher(app, client)
    args, body = _signed_push(app, push.text_xml("o_retry_pair", "gh_x", "预约"))
    first, again = _post(client, args, body), _post(client, args, body)
    assert first.status_code == again.status_code == 200
    assert "业务预约" in wechat.reply_text(first)
    assert wechat.reply_text(again) == wechat.reply_text(first)


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_seen_pair_with_another_body_is_refused(make_app, mode):
    """Plain mode (no key) cannot authenticate the body at all; safe mode's ciphertext is
    signed, but a pair is still single-use: the same pair never carries another push."""
    app = make_app(**({"WECHAT_AES_KEY": ""} if mode == "plain" else {}))
    client = app.test_client()
    args, body = _signed_push(app, push.text_xml("o_victim", "gh_x", "你好"))
    assert _post(client, args, body).status_code == 200
    cfg = app.config
    other_args, other_body = push.sign(push.text_xml("o_victim", "gh_x", "转人工"),
                                       cfg["WECHAT_TOKEN"], cfg["WECHAT_APPID"],
                                       cfg["WECHAT_AES_KEY"] or None,
                                       timestamp=args["timestamp"], nonce=args["nonce"])
    assert other_args["signature"] == args["signature"]
    resp = _post(client, other_args, other_body)
    assert resp.status_code == 403
    assert _conversations(app) == 0


def test_a_refused_replay_does_not_take_the_message_id_it_carried(make_app):
    """Plain mode: the forged body under a seen pair names a MsgId of its choosing. The
    pair, the dedup claim and the handler's questions go to Redis in one round trip, so
    the claim is taken before the pair is judged; the refusal gives it back, and the real
    message with that MsgId is answered, not taken for a retry."""
    app = make_app(WECHAT_AES_KEY="")
    client, token = app.test_client(), app.config["WECHAT_TOKEN"]
    args, body = push.sign(push.text_xml("o_victim", "gh_x", "你好", msg_id=71), token)
    assert _post(client, args, body).status_code == 200
    forged = push.text_xml("o_victim", "gh_x", "转人工", msg_id=72)
    forged_args, forged_body = push.sign(forged, token, timestamp=args["timestamp"],
                                         nonce=args["nonce"])
    assert _post(client, forged_args, forged_body).status_code == 403
    real_args, real_body = push.sign(push.text_xml("o_victim", "gh_x", "预约", msg_id=72), token)
    resp = _post(client, real_args, real_body)
    assert resp.status_code == 200 and "业务预约" in resp.get_data(as_text=True)


def test_the_pair_is_remembered_for_every_process(make_app):
    """Two apps (as two gunicorn workers) share the memory of used pairs through Redis."""
    first, second = make_app(), make_app()
    args, body = _signed_push(first, push.text_xml("o_two", "gh_x", "你好"))
    assert _post(first.test_client(), args, body).status_code == 200
    cfg = first.config
    _, other = push.sign(push.text_xml("o_two", "gh_x", "转人工"), cfg["WECHAT_TOKEN"],
                         cfg["WECHAT_APPID"], cfg["WECHAT_AES_KEY"],
                         timestamp=args["timestamp"], nonce=args["nonce"])
    assert _post(second.test_client(), args, other).status_code == 403
    assert _post(second.test_client(), args, body).status_code == 200  # WeChat's retry


def test_without_redis_a_seen_pair_is_still_refused_with_another_body(app, client):
    _unreachable_redis(app)
    args, body = _signed_push(app, push.text_xml("o_no_redis", "gh_x", "你好"))
    assert _post(client, args, body).status_code == 200
    cfg = app.config
    _, other = push.sign(push.text_xml("o_no_redis", "gh_x", "转人工"), cfg["WECHAT_TOKEN"],
                         cfg["WECHAT_APPID"], cfg["WECHAT_AES_KEY"],
                         timestamp=args["timestamp"], nonce=args["nonce"])
    assert _post(client, args, other).status_code == 403
    assert _conversations(app) == 0


def test_without_redis_retries_run_the_handler_once(app, client, monkeypatch):
    """Item 9: during a Redis outage the dedup key is a database row; each of WeChat's
    retries (a new nonce each time, the same MsgId) gets the first reply."""
    from handlers import router
    calls = []

    def handler(message):
        calls.append(message.id)
        return f"计数 #{len(calls)}"
    monkeypatch.setattr(router, "patterns", [(re.compile("计数"), handler)]
                        + list(router.patterns))
    _unreachable_redis(app)
    wechat = WeChatPusher(app, client)
    xml = push.text_xml("o_no_redis_retry", "gh_x", "计数", msg_id=987654321)
    replies = [wechat.reply_text(wechat.post(xml)) for _ in range(3)]
    assert calls == [987654321]
    assert replies == ["计数 #1"] * 3
    with app.app_context():
        keys = db.session.execute(db.select(WechatPushMark.key)).scalars().all()
    assert sum(k.startswith("wechat:push:") for k in keys) == 1
    assert sum(k.startswith("wechat:nonce:") for k in keys) == 3


def test_old_push_marks_are_forgotten(app, client):
    from datetime import timedelta

    from wechat_hall import clock
    _unreachable_redis(app)
    args, body = _signed_push(app, push.text_xml("o_old", "gh_x", "你好"))
    assert _post(client, args, body).status_code == 200
    with app.app_context():
        assert push_ledger.forget_old_marks() == 0
        app.config["CLOCK_NOW"] = clock.utcnow() + timedelta(hours=1)
        assert push_ledger.forget_old_marks() == 2
        assert db.session.execute(db.select(WechatPushMark)).first() is None
