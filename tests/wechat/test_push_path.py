"""The push path of issue 15: one Redis round trip, no SQL for a keyword, and nothing
lost when Redis forgets everything (follower activity, open conversations)."""
import threading

from sqlalchemy import event

from models import CsConversation, Follower
from tests.support.cs_helpers import seed_cs
from wechat_hall.extensions import db
from wechat_hall.redis_store import get_redis
from wechat_hall.services.wechat import followers


def _redis_restarts(app):
    """What a Redis restart without persistence leaves: nothing (our db only)."""
    with app.app_context():
        get_redis().flushdb()


def _sql_by_thread(app):
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append((threading.current_thread().name, statement.split()[0]))
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
    return seen


def test_a_keyword_from_a_new_sender_runs_no_sql_on_the_push_path(app, wechat):
    assert "业务预约" in wechat.reply_text(wechat.text("o_first", "预约"))  # warms the index
    seen = _sql_by_thread(app)
    assert "业务预约" in wechat.reply_text(wechat.text("o_brand_new_2", "预约"))
    assert "排号进度查询" in wechat.reply_text(wechat.text("o_brand_new_3", "排号"))
    on_path = [s for s in seen if s[0] != "follower-activity"]
    assert on_path == [], on_path
    followers.flush_activity(app)  # the process's writer, as it runs every second
    with app.app_context():
        rows = db.session.execute(db.select(Follower.openid, Follower.subscribed).filter(
            Follower.openid.in_(["o_brand_new_2", "o_brand_new_3"]))).all()
    assert sorted(rows) == [("o_brand_new_2", True), ("o_brand_new_3", True)]


def test_follower_activity_is_not_lost_when_redis_restarts(app, wechat):
    assert wechat.text("o_active", "预约").status_code == 200
    _redis_restarts(app)
    followers.flush_activity(app)
    with app.app_context():
        row = db.session.execute(db.select(Follower).filter_by(openid="o_active")).scalar_one()
        assert row.subscribed and row.last_message_at is not None


def test_a_failed_write_of_activity_is_kept_and_retried(app, wechat, monkeypatch):
    assert wechat.text("o_retry", "预约").status_code == 200
    real = followers._write

    def down(bind, activity):
        raise RuntimeError("database unavailable")
    monkeypatch.setattr(followers, "_write", down)
    assert followers.flush_activity(app) == 0
    monkeypatch.setattr(followers, "_write", real)
    assert followers.flush_activity(app) >= 1
    with app.app_context():
        assert db.session.execute(db.select(Follower).filter_by(openid="o_retry")
                                  ).scalar_one_or_none() is not None


def test_an_open_conversation_takes_over_keywords_even_after_redis_forgot_it(app, wechat):
    seed_cs(app)
    reply = wechat.reply_text(wechat.text("o_talking", "转人工"))
    assert "人工" in reply or "客服" in reply
    with app.app_context():
        conv = db.session.execute(db.select(CsConversation).filter_by(openid="o_talking")
                                  ).scalar_one()
        assert conv.status != "resolved"
    _redis_restarts(app)
    # A keyword while waiting for a person belongs to the conversation, not to the links.
    reply = wechat.reply_text(wechat.text("o_talking", "预约"))
    assert "/h5/wx/appointments" not in reply and "业务预约：" not in reply
    # And a stranger's keyword is still answered with its link.
    assert "/h5/wx/appointments" in wechat.reply_text(wechat.text("o_stranger", "预约"))


def test_a_conversation_is_not_opened_when_redis_cannot_record_it(app, wechat, monkeypatch):
    """takes_over() trusts the Redis set; a conversation it could miss is never opened."""
    from wechat_hall.services.support import open_index
    seed_cs(app)

    def redis_down(openid):
        raise ConnectionError("redis down")
    monkeypatch.setattr(open_index, "will_open", redis_down)
    reply = wechat.reply_text(wechat.text("o_unlucky", "转人工"))
    assert "系统繁忙" in reply
    with app.app_context():
        assert db.session.execute(db.select(CsConversation).filter_by(openid="o_unlucky")
                                  ).scalar_one_or_none() is None


def test_pushes_and_progress_polls_open_no_session(app, client, wechat):
    """No cookie session on /wechat and /h5/queue/status.json; pages still have theirs."""
    with client.session_transaction() as s:
        s["wechat_openid"] = "o_with_cookie"
    push = wechat.text("o_cookie", "预约")
    assert push.status_code == 200 and "Set-Cookie" not in push.headers
    poll = client.get("/h5/queue/status.json?office=SH&code=1")
    assert poll.status_code == 404 and "Set-Cookie" not in poll.headers
    page = client.get("/h5/appointments/notice")
    assert page.status_code in (200, 302)
    with client.session_transaction() as s:
        assert s["wechat_openid"] == "o_with_cookie"  # untouched by the sessionless requests
    from flask import session
    for path, none in (("/wechat", True), ("/h5/queue/status.json", True), ("/h5/", False)):
        with app.test_request_context(path, headers={"Cookie": "session=x"}):
            assert app.session_interface.is_null_session(session) is none, path
