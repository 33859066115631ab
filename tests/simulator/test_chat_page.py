"""The phone chat page: users, follow, text, menu taps, resend (dedup), feed, state."""
import threading

import handlers
from models import SimPush
from wechat_hall.extensions import db
from wechat_hall.jobs.worker import run_pending
from wechat_hall.services.wechat import inbound

from tests.simulator.sim_helpers import Phone
from tests.waiting import wait_until


def test_page_renders_a_phone(client):
    res = client.get("/sim/")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    assert "微信模拟器" in html and "sim-phone" in html
    assert "/sim/static/simulator/chat.js" in html
    assert client.get("/sim/static/simulator/chat.js").status_code == 200
    assert client.get("/sim/static/simulator/sim.css").status_code == 200


def test_cross_site_posts_are_refused(client):
    """A cross-site form can only send form bodies; a foreign Origin is refused too."""
    form = client.post("/sim/users", data={"label": "x"})
    assert form.status_code == 415 and "error" in form.get_json()
    foreign = client.post("/sim/users", json={"label": "x"},
                          headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    same = client.post("/sim/users", json={"label": "x"}, headers={"Origin": "http://localhost"})
    assert same.status_code == 200


def test_the_page_keeps_working_after_an_h5_login(client, phone):
    """The H5 login clears the shared session; the phone must still be able to send."""
    openid = phone.follower()
    start = client.get("/h5/account/bind")
    authorize = client.get(start.headers["Location"].replace("http://hall.test", ""))
    callback = client.get(authorize.headers["Location"].replace("http://localhost", ""))
    assert callback.status_code == 302
    assert phone.text(openid, "你好").status_code == 200


def test_follow_gets_the_welcome(phone):
    openid = phone.new_user()
    res = phone.follow(openid)
    assert res.status_code == 200
    data = res.get_json()
    assert data["user"]["subscribed"] is True
    reply = data["item"]["reply"]
    assert reply["type"] == "text" and "欢迎关注" in reply["content"]
    assert data["item"]["latency_ms"] >= 0


def test_text_before_following_is_refused(phone):
    openid = phone.new_user()
    res = phone.text(openid, "你好")
    assert res.status_code == 400 and res.get_json()["error"] == "请先关注公众号"


def test_text_gets_the_keyword_reply_with_its_link(phone):
    openid = phone.follower()
    item = phone.text(openid, "预约").get_json()["item"]
    assert item["kind"] == "text" and item["content"] == "预约" and item["msg_id"]
    assert "业务预约" in item["reply"]["content"]
    assert '<a href="http://hall.test/h5/wx/appointments">' in item["reply"]["content"]


def test_menu_click_and_view(phone):
    openid = phone.follower()
    click = phone.event(openid, "CLICK", "FAQ", "常见问题").get_json()["item"]
    assert click["note"] == "常见问题" and "常见问题" in click["reply"]["content"]
    view = phone.event(openid, "VIEW", "http://hall.test/h5/", "服务大厅").get_json()["item"]
    assert view["reply"] == {"type": "none"}  # the page opens; nothing is said


def test_resend_gets_the_identical_reply(app, phone):
    openid = phone.follower()
    first = phone.text(openid, "投票").get_json()["item"]
    res = phone.post("/sim/resend", {"openid": openid})
    assert res.status_code == 200
    data = res.get_json()
    assert data["same"] is True
    assert data["item"]["resent"] is True
    assert data["item"]["msg_id"] == first["msg_id"]
    assert data["item"]["create_time"] == first["create_time"]
    assert data["item"]["reply"] == first["reply"]
    with app.app_context():
        rows = db.session.execute(db.select(SimPush).filter_by(openid=openid)
                                  .order_by(SimPush.id)).scalars().all()
        assert rows[-1].xml == rows[-2].xml and rows[-1].reply_xml == rows[-2].reply_xml


def test_resend_of_an_event_is_deduplicated_too(phone):
    openid = phone.follower()
    phone.event(openid, "CLICK", "CONTACT", "联系我们")
    data = phone.post("/sim/resend", {"openid": openid}).get_json()
    assert data["same"] is True and "客服热线" in data["item"]["reply"]["content"]


def test_resend_needs_a_push(phone):
    openid = phone.new_user()
    res = phone.post("/sim/resend", {"openid": openid})
    assert res.status_code == 400 and "没有可以重发" in res.get_json()["error"]


def test_plain_mode_works_too(make_app):
    app = make_app(WECHAT_AES_KEY="")
    client = app.test_client()
    phone = Phone(client)
    openid = phone.follower()
    item = phone.text(openid, "排号").get_json()["item"]
    assert "排号进度查询" in item["reply"]["content"]
    with app.app_context():
        row = db.session.get(SimPush, item["id"])
        assert "<Encrypt>" not in row.xml


def test_feed_shows_customer_service_and_template_messages(phone, fake_api):
    openid = phone.follower()
    fake_api.send_text(openid, "您的预约已确认")
    fake_api.post("/cgi-bin/message/template/send", {
        "touser": openid, "template_id": "TPL1", "url": "http://hall.test/h5/",
        "data": {"thing1": {"value": "北京营业厅"}, "remark": {"value": "不显示"}}})
    feed = phone.client.get("/sim/feed", query_string={"openid": openid, "after": 0}).get_json()
    kinds = [(i["kind"], i["message"]["type"]) for i in feed["items"]]
    assert kinds == [("custom", "text"), ("template", "template")]
    assert feed["items"][0]["message"]["content"] == "您的预约已确认"
    assert feed["items"][1]["message"]["fields"] == [["thing1", "北京营业厅"]]
    later = phone.client.get("/sim/feed", query_string={"openid": openid,
                                                       "after": feed["last"]}).get_json()
    assert later["items"] == []


def test_feed_shows_refused_sends(phone, fake_api, age):
    openid = phone.follower()
    age(openid, 120)
    assert fake_api.send_text(openid)["errcode"] == 45015
    feed = phone.client.get("/sim/feed", query_string={"openid": openid}).get_json()
    message = feed["items"][0]["message"]
    assert message["type"] == "refused" and "45015" in message["text"]


def test_a_late_reply_arrives_as_a_customer_service_message(make_app, monkeypatch):
    """Over the reply budget the app answers success; the reply follows through the fake
    API, inside the window the chat page's push opened."""
    app = make_app(WECHAT_REPLY_BUDGET=0.05)
    gate = threading.Event()  # the handler answers only once the app has said success

    def slow(message):
        assert gate.wait(10), "the test never opened the gate"
        return "慢一点的回复"
    monkeypatch.setattr(handlers.router, "_fallback", slow)
    replied_late = []
    real_reply_late = inbound._reply_late

    def reply_late(*args):
        real_reply_late(*args)
        replied_late.append(True)
    monkeypatch.setattr(inbound, "_reply_late", reply_late)
    phone = Phone(app.test_client())
    openid = phone.follower()
    item = phone.text(openid, "随便说点什么").get_json()["item"]
    assert item["reply"] == {"type": "none"}
    gate.set()
    wait_until(lambda: replied_late, what="the late reply to be queued")
    run_pending(app)
    items = phone.client.get("/sim/feed", query_string={"openid": openid}).get_json()["items"]
    assert [i["message"].get("content") for i in items] == ["慢一点的回复"]


def test_state_has_menu_history_and_users(app, phone):
    openid = phone.follower("李四")
    phone.text(openid, "你好")
    state = phone.client.get("/sim/state", query_string={"openid": openid}).get_json()
    assert state["user"]["label"] == "李四" and state["user"]["subscribed"]
    assert state["menu"]["source"] == "file"
    assert [b["name"] for b in state["menu"]["button"]] == ["我的账户", "业务办理", "公共服务"]
    assert [i["kind"] for i in state["history"]] == ["event", "text"]
    assert any(u["openid"] == openid for u in state["users"])
    from wechat_hall.services.wechat import menus
    with app.app_context():
        menus.push({"button": [{"type": "click", "name": "只有一个", "key": "FAQ"}]})
    state = phone.client.get("/sim/state", query_string={"openid": openid}).get_json()
    assert state["menu"]["source"] == "pushed"
    assert state["menu"]["button"][0]["name"] == "只有一个"


def test_unfollow_and_follow_again(phone):
    openid = phone.follower()
    data = phone.event(openid, "unsubscribe").get_json()
    assert data["user"]["subscribed"] is False and data["item"]["reply"] == {"type": "none"}
    assert phone.event(openid, "CLICK", "FAQ").status_code == 400
    assert phone.follow(openid).get_json()["user"]["subscribed"] is True


def test_select_a_user_the_app_knows(phone, wechat):
    wechat.text("o_known_follower_01", "你好")  # a follower the simulator never saw
    res = phone.post("/sim/users/select", {"openid": "o_known_follower_01"})
    assert res.status_code == 200 and res.get_json()["user"]["subscribed"] is True
    assert phone.post("/sim/users/select", {"openid": "o_nobody"}).status_code == 404
