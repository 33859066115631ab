"""在线客服 service centre (CS-1, CS-2, CS-4) as the investor sees it in WeChat."""
import re

from tests.support.cs_helpers import conversation_of, seed_cs
from tests.support.sim_login import sign_in


def token(page):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_page_asks_wechat_who_the_investor_is(cs, client):
    resp = client.get("/h5/service")
    assert resp.status_code == 302 and "/connect/oauth2/authorize" in resp.location


def test_markets_and_business_systems_are_offered(cs, client):
    sign_in(client, "o_centre")
    page = client.get("/h5/service").get_data(as_text=True)
    assert "按市场" in page and "按业务系统" in page
    for name in ("沪市", "深市", "北京", "账户", "查询", "预约", "投票", "其他"):
        assert f">{name}</button>" in page
    assert "ask-agent" not in page  # nothing chosen yet: no 转人工 button


def test_choosing_shows_that_queues_answers_and_offers_a_person(cs, client):
    sign_in(client, "o_centre")
    page = client.get("/h5/service").get_data(as_text=True)
    resp = client.post("/h5/service/choose", data={"csrf_token": token(page), "queue": "VOTE"})
    page = client.get(resp.location).get_data(as_text=True)
    assert "已选择【投票】" in page and "【投票】常见问题" in page
    assert "累积投票怎么投？" in page and "持股总数 × 当选数" in page
    assert 'id="ask-agent"' in page
    resp = client.post("/h5/service/agent", data={"csrf_token": token(page)})
    page = client.get(resp.location).get_data(as_text=True)
    assert "正在为您转接【投票】人工客服" in page and "排队中" in page and "第 1 位" in page
    assert conversation_of(cs, "o_centre").status == "waiting"


def test_bad_choices_are_refused_with_a_message(cs, client):
    sign_in(client, "o_centre")
    page = client.get("/h5/service").get_data(as_text=True)
    for bad in ("NOPE", "", "<script>"):
        resp = client.post("/h5/service/choose", data={"csrf_token": token(page), "queue": bad})
        assert "请选择列表中的市场或业务系统" in client.get(resp.location).get_data(as_text=True)
    # A NUL (PostgreSQL refuses it in a query) is refused at the edge: request_guard.
    resp = client.post("/h5/service/choose", data={"csrf_token": token(page), "queue": "SH\x00"})
    assert resp.status_code == 400
    for bad in ("VOTE\x00", "\x00"):
        resp = client.get("/h5/service", query_string={"q": bad})
        assert resp.status_code == 400 and "已选择" not in resp.get_data(as_text=True)
    resp = client.post("/h5/service/choose", data={"queue": "SH"})  # no token
    assert resp.status_code == 400
    assert conversation_of(cs, "o_centre") is None or conversation_of(cs, "o_centre").queue is None


def test_asking_for_a_person_before_choosing_is_refused(cs, client):
    sign_in(client, "o_centre")
    page = client.get("/h5/service").get_data(as_text=True)
    resp = client.post("/h5/service/agent", data={"csrf_token": token(page)})
    assert "请先选择要咨询的市场或业务系统" in client.get(resp.location).get_data(as_text=True)


def test_outside_hours_the_page_says_so(app, client):
    seed_cs(app, hours="never")
    sign_in(client, "o_centre")
    assert "现在是非人工服务时间" in client.get("/h5/service").get_data(as_text=True)


def test_home_grid_and_chat_link_to_the_service_centre(cs, client, wechat):
    page = client.get("/h5/").get_data(as_text=True)
    assert 'href="/h5/service"' in page
    assert 'data-feature="CS-1"' in page
    block = page.split('data-feature="CS-1"')[1].split("</a>")[0]
    assert "建设中" not in block
    assert "http://hall.test/h5/wx/service" in wechat.reply_text(wechat.text("o_centre", "客服"))


def test_choosing_again_while_waiting_moves_to_the_other_line(cs, client, wechat):
    wechat.reply_text(wechat.text("o_centre", "忘记密码了"))
    wechat.reply_text(wechat.text("o_centre", "转人工"))
    assert conversation_of(cs, "o_centre").queue.code == "ACCOUNT"
    sign_in(client, "o_centre")
    page = client.get("/h5/service").get_data(as_text=True)
    assert "排队中" in page
    client.post("/h5/service/choose", data={"csrf_token": token(page), "queue": "SZ"})
    conv = conversation_of(cs, "o_centre")
    assert conv.status == "waiting" and conv.queue.code == "SZ"


def test_choosing_while_an_agent_answers_is_refused(cs, client, wechat):
    from tests.support.cs_helpers import make_agent, settle
    from tests.staff.staff_helpers import make_staff
    make_agent(cs, make_staff(cs, "wang", "agent"), queues=["ACCOUNT"])
    wechat.reply_text(wechat.text("o_centre", "忘记密码了"))
    wechat.reply_text(wechat.text("o_centre", "转人工"))
    settle(cs)
    sign_in(client, "o_centre")
    page = client.get("/h5/service").get_data(as_text=True)
    assert "人工服务中" in page
    resp = client.post("/h5/service/choose", data={"csrf_token": token(page), "queue": "SZ"})
    assert "您正在与【账户】客服交流" in client.get(resp.location).get_data(as_text=True)
    assert conversation_of(cs, "o_centre").queue.code == "ACCOUNT"


def test_on_a_public_holiday_the_page_and_the_chat_say_customer_service_rests(app, client, wechat):
    """2027-01-01 10:00 is a Friday within the demo hours, and 元旦: nobody answers."""
    from datetime import time

    from models import CsBusinessHours
    from wechat_hall import clock
    from wechat_hall.extensions import db
    from wechat_hall.services.support.hours import DEFAULT_HOURS
    seed_cs(app, hours="never")
    with app.app_context():
        for day, opens, closes in DEFAULT_HOURS:
            db.session.add(CsBusinessHours(weekday=day, opens=opens, closes=closes))
        db.session.commit()
    app.config["CLOCK_NOW"] = clock.shanghai(2027, 1, 4, 10, 0)  # the Monday after
    sign_in(client, "o_new_year")
    assert "非人工服务时间" not in client.get("/h5/service").get_data(as_text=True)
    app.config["CLOCK_NOW"] = clock.shanghai(2027, 1, 1, 10, 0)
    page = client.get("/h5/service").get_data(as_text=True)
    assert "今天是元旦假期，现在是非人工服务时间（周一至周五 8:30—17:00（法定节假日除外））" in page
    wechat.reply_text(wechat.text("o_new_year", "我的情况比较特殊"))
    reply = wechat.reply_text(wechat.text("o_new_year", "4"))
    assert "今天是元旦假期，现在是非人工服务时间" in reply
    with app.app_context():  # a 法定节假日 line (值班) opens it
        db.session.add(CsBusinessHours(weekday=7, opens=time(9), closes=time(12)))
        db.session.commit()
    assert "非人工服务时间" not in client.get("/h5/service").get_data(as_text=True)
