"""The back office of customer service: the admin edits queues, the rule table, the
knowledge base, canned replies, hours and agents; bad input is refused in Chinese."""
import pytest

from models import CsAgent, CsBusinessHours, CsCannedReply, CsKnowledge, CsQueue, CsRule
from wechat_hall.extensions import db

from tests.staff.staff_helpers import StaffBrowser, make_staff


@pytest.fixture
def admin(cs, client):
    make_staff(cs, "boss", "admin")
    browser = StaffBrowser(client)
    assert browser.login("boss", "Admin@2026").status_code == 302
    return browser


def queue_id(app, code):
    with app.app_context():
        return db.session.execute(db.select(CsQueue.id).filter_by(code=code)).scalar()


def count(app, model, **filters):
    with app.app_context():
        return db.session.query(model).filter_by(**filters).count()


def test_every_list_opens(admin):
    for endpoint in ("csqueue", "csrule", "csknowledge", "cscanned", "cshours", "csagent"):
        resp = admin.client.get(f"/admin/{endpoint}/")
        assert resp.status_code == 200, endpoint
    assert "累积投票怎么投？" in admin.client.get("/admin/csknowledge/").get_data(as_text=True)


def test_a_rule_line_that_routes_and_a_broken_one(cs, admin, wechat):
    before = count(cs, CsRule)
    resp = admin.submit("/admin/csrule/new/", {"sort_order": "1", "pattern": "(", "note": "",
                                               "queue": str(queue_id(cs, "VOTE")), "active": "y"})
    assert "规则表达式有误" in resp.get_data(as_text=True)
    assert count(cs, CsRule) == before
    resp = admin.submit("/admin/csrule/new/", {"sort_order": "1", "pattern": "天气", "note": "测试",
                                               "queue": str(queue_id(cs, "OTHER")), "active": "y"})
    assert resp.status_code == 302
    wechat.reply_text(wechat.text("o_weather", "今天天气怎么样"))
    from tests.support.cs_helpers import conversation_of
    assert conversation_of(cs, "o_weather").queue.code == "OTHER"


def test_a_knowledge_entry_answers_at_once(cs, admin, wechat):
    resp = admin.submit("/admin/csknowledge/new/", {
        "queue": str(queue_id(cs, "QUERY")), "question": "非交易过户要多久？",
        "keywords": "非交易过户 多久", "answer": "材料齐全的，一般当场受理。", "sort_order": "0",
        "active": "y"})
    assert resp.status_code == 302
    assert "材料齐全的，一般当场受理" in wechat.reply_text(wechat.text("o_kb", "查询非交易过户要多久"))
    resp = admin.submit("/admin/csknowledge/new/", {"question": "空答案", "keywords": "x",
                                                    "answer": "", "sort_order": "0"})
    assert "请填写答案" in resp.get_data(as_text=True)
    assert count(cs, CsKnowledge, question="空答案") == 0


def test_canned_reply_shortcuts_are_checked(cs, admin):
    resp = admin.submit("/admin/cscanned/new/", {"shortcut": "bad code", "title": "x", "body": "y",
                                                 "active": "y"})
    assert "快捷代码为1-32位" in resp.get_data(as_text=True)
    assert count(cs, CsCannedReply, title="x") == 0


def test_hours_must_end_after_they_start(cs, admin):
    before = count(cs, CsBusinessHours)
    resp = admin.submit("/admin/cshours/new/", {"weekday": "5", "opens": "17:00", "closes": "09:00",
                                                "active": "y"})
    assert "结束时间必须晚于开始时间" in resp.get_data(as_text=True)
    assert count(cs, CsBusinessHours) == before
    assert '<option value="7">法定节假日</option>' in admin.client.get(
        "/admin/cshours/new/").get_data(as_text=True)
    # The rule is the service's, which the chat's 服务时间 reads: not only the form's.
    from datetime import time

    from wechat_hall.services.errors import Rejected
    from wechat_hall.services.support import hours
    for line, message in [((5, time(17), time(9)), "结束时间必须晚于开始时间"),
                          ((8, time(9), time(17)), "请选择星期"),
                          ((0, None, time(17)), "请填写开始时间和结束时间")]:
        with pytest.raises(Rejected, match=message):
            hours.check_line(*line)
    hours.check_line(5, time(9), time(11))
    hours.check_line(hours.HOLIDAYS, time(9), time(11))  # 法定节假日 (值班时间)


def test_an_agent_gets_queues_and_a_capacity(cs, admin):
    staff_id = make_staff(cs, "zhang", "agent")
    resp = admin.submit("/admin/csagent/new/", {"staff": str(staff_id), "capacity": "0",
                                                "queues": [str(queue_id(cs, "SH"))]})
    assert "接待上限须为1-50" in resp.get_data(as_text=True)
    resp = admin.submit("/admin/csagent/new/", {"staff": str(staff_id), "capacity": "8",
                                                "queues": [str(queue_id(cs, "SH")),
                                                           str(queue_id(cs, "SZ"))]})
    assert resp.status_code == 302
    with cs.app_context():
        agent = db.session.get(CsAgent, staff_id)
        assert agent.capacity == 8 and {q.code for q in agent.queues} == {"SH", "SZ"}


def test_only_agents_and_admins_become_agents_and_only_once(cs, admin):
    counter_id = make_staff(cs, "guitai", "counter")
    agent_id = make_staff(cs, "li", "agent")
    sh = str(queue_id(cs, "SH"))
    resp = admin.submit("/admin/csagent/new/", {"staff": str(counter_id), "capacity": "5",
                                                "queues": [sh]})
    assert resp.status_code != 302 and count(cs, CsAgent, staff_id=counter_id) == 0
    assert admin.submit("/admin/csagent/new/", {"staff": str(agent_id), "capacity": "5",
                                                "queues": [sh]}).status_code == 302
    resp = admin.submit("/admin/csagent/new/", {"staff": str(agent_id), "capacity": "6",
                                                "queues": [sh]})
    assert "该员工已经是坐席" in resp.get_data(as_text=True)
    with cs.app_context():
        assert db.session.get(CsAgent, agent_id).capacity == 5
        from models import StaffUser
        from wechat_hall.services.errors import Rejected
        from wechat_hall.services.support import admin as cs_rules
        with pytest.raises(Rejected, match="只有客服坐席或管理员可以设为坐席"):
            cs_rules.check_agent(CsAgent(staff=db.session.get(StaffUser, counter_id),
                                         capacity=5), is_new=True)
