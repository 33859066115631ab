"""What the account answers (P-2, P-3, P-5): follows, menu clicks, keywords."""
import re
import time

import pytest

from models import Follower
from tests import seeding
from wechat_hall.extensions import db
from wechat_hall.services.wechat import followers, menus

LINK = re.compile(r'<a href="([^"]+)">')


def test_subscribe_welcomes_and_explains_the_three_menus(app, wechat):
    text = wechat.reply_text(wechat.event("o_new", "subscribe"))
    for menu in ("我的账户", "业务办理", "公共服务"):
        assert menu in text
    # every entry of menus.json, 服务大厅 and 联系我们 too (issue 16)
    for entry in ("账户注册", "账户绑定", "个人信息", "服务大厅", "业务预约", "排号进度查询",
                  "网络投票", "证券查询", "在线客服", "营业网点", "常见问题", "联系我们"):
        assert entry in text
    assert "底部有三个菜单" in text
    assert LINK.search(text).group(1) == "http://hall.test/h5/wx/"
    with app.app_context():
        row = db.session.execute(db.select(Follower).filter_by(openid="o_new")).scalar_one()
        assert row.subscribed and row.subscribed_at is not None


def test_unsubscribe_is_recorded_and_gets_no_reply(app, wechat):
    wechat.event("o_leaving", "subscribe", create_time=1_700_000_000 + 1)
    resp = wechat.event("o_leaving", "unsubscribe")
    assert resp.get_data(as_text=True) == "success"
    with app.app_context():
        row = db.session.execute(db.select(Follower).filter_by(openid="o_leaving")).scalar_one()
        assert row.subscribed is False and row.unsubscribed_at is not None


def _click_keys(app):
    with app.app_context():
        return menus.click_keys(menus.load())


def test_menu_has_click_keys(app):
    assert len(_click_keys(app)) >= 3


@pytest.mark.parametrize("key", ["QUERY_SERVICES", "OFFICE_LIST", "FAQ", "CONTACT"])
def test_every_click_key_of_menus_json_is_answered(app, wechat, key):
    assert key in _click_keys(app)
    text = wechat.reply_text(wechat.event("o_clicker", "CLICK", key))
    assert text and text != "success"
    assert "暂不可用" not in text


def test_office_list_click_lists_the_offices_from_the_database(app, wechat):
    seeding.load(app, "demo")
    text = wechat.reply_text(wechat.event("o_clicker", "CLICK", "OFFICE_LIST"))
    for region in ("北京", "上海", "深圳"):
        assert region in text


def test_unknown_click_key_gets_a_polite_answer(wechat):
    assert "暂不可用" in wechat.reply_text(wechat.event("o_clicker", "CLICK", "NO_SUCH_KEY"))


@pytest.mark.parametrize("word,path", [
    ("预约", "/h5/appointments"), ("我要预约", "/h5/appointments"),
    ("投票", "/h5/votes"), ("排号", "/h5/queue"), ("查询", "/h5/"),
    ("绑定", "/h5/account/bind"), ("客服", "/h5/service"),
])
def test_keywords_link_to_the_right_page(client, wechat, word, path):
    text = wechat.reply_text(wechat.text("o_kw", word))
    url = LINK.search(text).group(1)
    # Through the /h5/wx door: it learns the openid (OAuth), then opens the page.
    assert url == "http://hall.test" + path.replace("/h5/", "/h5/wx/", 1)
    resp = client.get(url[len("http://hall.test"):])
    assert resp.status_code == 302 and "oauth2/authorize" in resp.headers["Location"]
    resp = client.get(path)
    assert resp.status_code in (200, 302)


def test_anything_else_without_customer_service_says_what_the_hall_can_do(wechat):
    """No customer-service queue set up (CS): the generic help. With queues, see
    tests/support/test_chat_routing.py."""
    text = wechat.reply_text(wechat.text("o_kw", "今天天气怎么样"))
    for word in ("预约", "排号", "投票", "查询", "绑定", "客服"):
        assert word in text


def _follower_row(app, openid, wait=5.0):
    """The row as the process's activity writer leaves it (within FOLLOWER_FLUSH_SECONDS)."""
    deadline = time.monotonic() + wait
    while True:
        with app.app_context():
            row = db.session.execute(db.select(Follower).filter_by(openid=openid)
                                     ).scalar_one_or_none()
            db.session.expunge_all()
        if row is not None or time.monotonic() > deadline:
            return row
        time.sleep(0.05)


def test_view_event_records_activity_without_reply(app, wechat):
    resp = wechat.event("o_viewer", "VIEW", "http://hall.test/h5/")
    assert resp.get_data(as_text=True) == "success"
    row = _follower_row(app, "o_viewer")
    assert row is not None and row.subscribed and row.last_message_at is not None


def test_a_failing_handler_apologises_and_writes_nothing(app, wechat, monkeypatch):
    from handlers import router

    def broken(message):
        db.session.add(Follower(openid="o_half_written"))
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setitem(router.clicks, "BROKEN", broken)
    text = wechat.reply_text(wechat.event("o_x", "CLICK", "BROKEN"))
    assert "系统繁忙" in text
    with app.app_context():
        assert db.session.execute(db.select(Follower).filter_by(
            openid="o_half_written")).scalar_one_or_none() is None


def test_first_messages_of_a_new_user_arriving_together_all_get_answers(app):
    """The follower row is an upsert: simultaneous first pushes do not collide."""
    import threading

    from tests.conftest import WeChatPusher
    replies = []

    def send(i):
        pusher = WeChatPusher(app, app.test_client())
        replies.append(pusher.reply_text(pusher.text("o_brand_new", "预约", msg_id=5000 + i)))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(replies) == 6
    assert all("业务预约" in r for r in replies), replies
    followers.flush_activity(app)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Follower.id)).filter_by(
            openid="o_brand_new")).scalar() == 1


def test_click_answers_take_their_figures_from_where_the_rules_live(app, wechat):
    """Cutoff from APPOINTMENT_CUTOFF, limits from the services, customer-service hours and
    booking hours from what the back office edits: change each, and the chat follows."""
    from datetime import time

    from models import CsBusinessHours, Office, SlotTemplate
    from wechat_hall.services.accounts import hall_users
    from wechat_hall.services.queries import certificates

    app.config["APPOINTMENT_CUTOFF"] = "14:30"
    with app.app_context():
        office = Office(code="GZ", region="广州", name="广州业务受理大厅", address="广州市天河区",
                        phone="020-1234")
        db.session.add(office)
        db.session.flush()
        db.session.add_all([
            SlotTemplate(office_id=office.id, start_time=time(9, 0), end_time=time(9, 59, 59)),
            SlotTemplate(office_id=office.id, start_time=time(10, 0), end_time=time(11, 29, 59)),
            SlotTemplate(office_id=office.id, start_time=time(7, 0), end_time=time(7, 59, 59),
                         active=False),
            CsBusinessHours(weekday=0, opens=time(9, 0), closes=time(12, 0)),
            CsBusinessHours(weekday=1, opens=time(9, 0), closes=time(12, 0)),
            CsBusinessHours(weekday=5, opens=time(9, 0), closes=time(11, 0), active=False)])
        db.session.commit()
    faq = wechat.reply_text(wechat.event("o_faq", "CLICK", "FAQ"))
    assert "4. 每日下午14:30停止预约次日的号源。" in faq and "15:00" not in faq
    assert f"电子凭证每人每天最多申请{certificates.DAILY_LIMIT}次" in faq
    assert f"手机号{hall_users.PHONE_CHANGE_RULE}。" in faq
    assert hall_users.PHONE_CHANGE_RULE == "一个月内最多变更三次"  # the seed's words, from 3
    contact = wechat.reply_text(wechat.event("o_faq", "CLICK", "CONTACT"))
    assert "人工服务时间：周一至周二 9:00—12:00" in contact and "8:30" not in contact
    offices = wechat.reply_text(wechat.event("o_faq", "CLICK", "OFFICE_LIST"))
    assert "【广州】广州业务受理大厅" in offices and "预约时段：工作日 9:00—11:30" in offices
    assert "8:30" not in offices and "17:00" not in offices
    word = wechat.reply_text(wechat.text("o_faq", "凭证"))
    assert f"每日最多{certificates.DAILY_LIMIT}次" in word
