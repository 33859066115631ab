"""WeChat's reply window and quota as the console computes them (cs_window)."""
from datetime import timedelta

from models import CsConversation, CsMessage
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db
from wechat_hall.services.support import window as cs_window


def _conversation(app, openid):
    conv = CsConversation(openid=openid, status="assigned")
    db.session.add(conv)
    db.session.flush()
    return conv


def _msg(conv, kind, at, delivery=""):
    db.session.add(CsMessage(conversation_id=conv.id, openid=conv.openid, kind=kind,
                             body="x", created_at=at, delivery=delivery))


def test_no_message_from_the_investor_no_window(app):
    with app.app_context():
        window = cs_window.compute("o_never_wrote")
        assert not window.is_open and window.remaining == 0
        assert "尚未发来消息" in window.describe()


def test_counts_sent_and_in_flight_since_the_last_message_only(app):
    now = utcnow()
    with app.app_context():
        conv = _conversation(app, "o_window")
        _msg(conv, "in", now - timedelta(hours=10))
        _msg(conv, "out", now - timedelta(hours=9), "sent")       # before the last message
        _msg(conv, "in", now - timedelta(hours=5))                 # the last message
        _msg(conv, "out", now - timedelta(hours=4), "sent")
        _msg(conv, "out", now - timedelta(hours=3), "sending")    # in flight counts
        _msg(conv, "out", now - timedelta(hours=2), "refused")    # refused does not
        _msg(conv, "bot", now - timedelta(hours=2))                # passive replies do not
        db.session.commit()
        window = cs_window.compute("o_window", now=now)
        assert window.is_open and window.sent == 2 and window.remaining == 3
        assert window.seconds_left == 43 * 3600
        assert window.describe() == "回复窗口还剩43小时0分钟，投资者回复前还可发送3条。"


def test_closed_after_48_hours_and_exhausted_after_5(app):
    now = utcnow()
    with app.app_context():
        conv = _conversation(app, "o_window2")
        _msg(conv, "in", now - timedelta(hours=48, seconds=1))
        db.session.commit()
        window = cs_window.compute("o_window2", now=now)
        assert not window.is_open and "45015" in window.describe()
        _msg(conv, "in", now - timedelta(hours=1))
        for i in range(5):
            _msg(conv, "out", now - timedelta(minutes=50 - i), "sent")
        db.session.commit()
        window = cs_window.compute("o_window2", now=now)
        assert window.is_open and not window.can_send and "45047" in window.describe()
