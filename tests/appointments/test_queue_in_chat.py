"""A 排队码 sent in the WeChat chat answers with the progress (APT-9)."""
from wechat_hall import clock

from tests.appointments.queue_helpers import Kiosk


def test_sending_the_queue_code_answers_with_people_ahead(hall_app):
    hall_app.config["CLOCK_NOW"] = clock.shanghai(2026, 11, 24, 9, 0)
    kiosk = Kiosk(hall_app)
    kiosk.walk_in("QUERY")
    code = kiosk.ticket(kiosk.walk_in("QUERY"))[1]
    from tests.conftest import WeChatPusher
    wechat = WeChatPusher(hall_app, hall_app.test_client())
    reply = wechat.reply_text(wechat.text("o_chat_waiter_0001", f" {code} "))
    assert "排队号 E002（证券查询，上海业务受理大厅）" in reply
    assert "目前等待人数：1人，预计约5分钟" in reply and "/h5/wx/queue" in reply
    wrong = wechat.reply_text(wechat.text("o_chat_waiter_0001", "1234567890"))
    assert "未找到该排队码" in wrong
