"""Fake API: customer-service messages and WeChat's windows (45015 / 45047)."""
from models import SimOutbound
from wechat_hall.extensions import db


def _sent(app, openid):
    with app.app_context():
        return db.session.execute(db.select(SimOutbound).filter_by(openid=openid)
                                  .order_by(SimOutbound.id)).scalars().all()


def test_five_within_48_hours_after_a_message(app, phone, fake_api, age):
    openid = phone.follower()
    age(openid, 120)  # the follow's one-minute quota is over
    assert fake_api.send_text(openid)["errcode"] == 45015
    phone.text(openid, "你好")
    for _ in range(5):
        assert fake_api.send_text(openid)["errcode"] == 0
    assert fake_api.send_text(openid)["errcode"] == 45047
    phone.text(openid, "还在吗")  # a new message opens a new quota
    assert fake_api.send_text(openid)["errcode"] == 0


def test_the_window_closes_after_48_hours(app, phone, fake_api, age):
    openid = phone.follower()
    phone.text(openid, "你好")
    assert fake_api.send_text(openid)["errcode"] == 0
    age(openid, 47 * 3600)
    assert fake_api.send_text(openid)["errcode"] == 0
    age(openid, 2 * 3600)
    assert fake_api.send_text(openid)["errcode"] == 45015


def test_three_within_a_minute_after_a_click(app, phone, fake_api, age):
    openid = phone.follower()
    age(openid, 120)
    phone.event(openid, "CLICK", "FAQ", "常见问题")
    for _ in range(3):
        assert fake_api.send_text(openid)["errcode"] == 0
    assert fake_api.send_text(openid)["errcode"] == 45047
    age(openid, 61)
    assert fake_api.send_text(openid)["errcode"] == 45015


def test_follow_opens_three_and_view_opens_none(app, phone, fake_api, age):
    openid = phone.follower()
    for _ in range(3):
        assert fake_api.send_text(openid)["errcode"] == 0
    assert fake_api.send_text(openid)["errcode"] == 45047
    age(openid, 120)
    phone.event(openid, "VIEW", "http://hall.test/h5/", "服务大厅")
    assert fake_api.send_text(openid)["errcode"] == 45015


def test_quotas_add_up(app, phone, fake_api, age):
    openid = phone.follower()
    age(openid, 120)
    phone.text(openid, "你好")
    phone.event(openid, "CLICK", "FAQ")
    results = [fake_api.send_text(openid)["errcode"] for _ in range(9)]
    assert results == [0] * 8 + [45047]


def test_pushes_sent_directly_open_the_window_through_the_follower_row(app, wechat, fake_api):
    """Tests that push to /wechat themselves (not through the chat page) still get a window."""
    wechat.text("o_direct_user", "你好")
    for _ in range(5):
        assert fake_api.send_text("o_direct_user")["errcode"] == 0
    assert fake_api.send_text("o_direct_user")["errcode"] == 45047


def test_unknown_and_unfollowed_users(app, phone, fake_api):
    assert fake_api.send_text("o_nobody_knows_me")["errcode"] == 40003
    openid = phone.follower()
    phone.event(openid, "unsubscribe")
    assert fake_api.send_text(openid)["errcode"] == 43004


def test_sends_are_recorded_refusals_included(app, phone, fake_api, age):
    openid = phone.follower()
    assert fake_api.send_text(openid, "第一条")["errcode"] == 0
    age(openid, 120)
    assert fake_api.send_text(openid, "第二条")["errcode"] == 45015
    rows = _sent(app, openid)
    assert [(r.errcode, r.payload["text"]["content"]) for r in rows] == [(0, "第一条"),
                                                                         (45015, "第二条")]


def test_malformed_custom_messages(app, phone, fake_api):
    openid = phone.follower()
    post = fake_api.post
    assert post("/cgi-bin/message/custom/send", {"touser": openid, "msgtype": "smell"})[
        "errcode"] == 40008
    assert post("/cgi-bin/message/custom/send", {"touser": openid, "msgtype": "text"})[
        "errcode"] == 47001
    assert post("/cgi-bin/message/custom/send", {
        "touser": openid, "msgtype": "text", "text": {"content": ""}})["errcode"] == 44004
    assert post("/cgi-bin/message/custom/send", {
        "touser": openid, "msgtype": "text", "text": {"content": "长" * 700}})["errcode"] == 45002
    assert post("/cgi-bin/message/custom/send", {"msgtype": "text"})["errcode"] == 40003
    assert post("/cgi-bin/message/custom/send", raw=b"")["errcode"] == 44002
    assert post("/cgi-bin/message/custom/send", raw=b"<xml/>")["errcode"] == 47001
    assert _sent(app, openid) == []  # malformed calls send nothing
