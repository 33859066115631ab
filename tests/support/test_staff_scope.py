"""Issue 13 item 7: every staff read and write of a customer-service conversation is
scoped by role and queue membership. The walk discovers the console's URLs from the URL
map, so a URL added later is walked too (or must be named as touching no conversation).
"""
import pytest

from models import CsConversation, CsMessage, SimOutbound
from tests.staff.staff_helpers import StaffBrowser, csrf_from, make_staff
from tests.support.cs_helpers import conversation_of, make_agent, settle
from wechat_hall.extensions import db

# Console URLs that name no conversation at all (the agent's own presence).
NO_CONVERSATION = {"cs.heartbeat", "cs.presence"}
PAYLOAD = {"text": "越权写入", "queue": "VOTE", "presence": "online"}


@pytest.fixture
def chat(cs, client, wechat):
    """Agent 小王 (账户 queue) is serving o_investor; o_waiting waits in the 账户 queue."""
    wang = make_staff(cs, "wang", "agent", display_name="客服小王")
    make_agent(cs, wang, queues=["ACCOUNT"], capacity=1)
    assert StaffBrowser(client).login("wang", "Agent@2026").status_code == 302
    for openid in ("o_investor", "o_waiting"):
        wechat.reply_text(wechat.text(openid, "一码通怎么激活"))
        wechat.reply_text(wechat.text(openid, "转人工"))
        settle(cs)
    assigned, waiting = conversation_of(cs, "o_investor"), conversation_of(cs, "o_waiting")
    assert assigned.status == "assigned" and assigned.assigned_to_id == wang
    assert waiting.status == "waiting" and waiting.queue.code == "ACCOUNT"
    return assigned.id, waiting.id


def signed_in(app, username, queues):
    staff_id = make_staff(app, username, "agent")
    if queues is not None:
        make_agent(app, staff_id, queues=queues)
    browser = StaffBrowser(app.test_client())
    assert browser.login(username, "Agent@2026").status_code == 302
    return browser


def console_urls(app):
    """(endpoint, method, rule) of every URL of the CS console."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("cs.") and rule.endpoint not in NO_CONVERSATION:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                urls.append((rule.endpoint, method, rule))
    return urls


def snapshot(app):
    with app.app_context():
        conversations = [tuple(getattr(c, col.name) for col in CsConversation.__table__.columns)
                         for c in db.session.execute(db.select(CsConversation)
                                                     .order_by(CsConversation.id)).scalars()]
        messages = db.session.execute(db.select(db.func.count(CsMessage.id))).scalar_one()
        sent = db.session.execute(db.select(db.func.count(SimOutbound.id))).scalar_one()
        return conversations, messages, sent


def test_the_walk_covers_every_console_url(cs):
    endpoints = {endpoint for endpoint, _, _ in console_urls(cs)}
    assert {"cs.console", "cs.poll", "cs.claim", "cs.reply", "cs.note", "cs.transfer",
            "cs.resolve", "cs.supervisor"} <= endpoints
    everything = {r.endpoint for r in cs.url_map.iter_rules() if r.endpoint.startswith("cs.")}
    assert NO_CONVERSATION <= everything


@pytest.mark.parametrize("queues", [["VOTE"], [], None],
                         ids=["agent of another queue", "agent in no queue", "no agent profile"])
def test_an_agent_outside_the_queue_gets_404_or_403_on_every_console_url(cs, chat, queues):
    outsider = signed_in(cs, "zhao", queues)
    token = csrf_from(outsider.client.get("/staff/cs/").get_data(as_text=True))
    before = snapshot(cs)
    walked = 0
    for conversation_id in chat:
        for endpoint, method, rule in console_urls(cs):
            args = {"conversation_id": conversation_id} if "conversation_id" in rule.arguments else {}
            path = rule.build(args, append_unknown=False)[1]
            query = {"c": conversation_id, "after": 0}
            if method == "GET":
                resp = outsider.client.get(path, query_string=query)
            else:
                resp = outsider.client.post(path, query_string=query,
                                            data={"csrf_token": token, **PAYLOAD})
            assert resp.status_code in (403, 404), (endpoint, method, resp.status_code)
            body = resp.get_data(as_text=True)
            assert "一码通怎么激活" not in body and "o_inv" not in body
            walked += 1
    assert walked >= 2 * 8
    assert snapshot(cs) == before  # nothing written, nothing sent


def test_a_colleague_of_the_queue_and_a_supervisor_may_look(cs, chat):
    assigned, _ = chat
    colleague = signed_in(cs, "li", ["ACCOUNT"])
    page = colleague.client.get(f"/staff/cs/?c={assigned}")
    assert page.status_code == 200 and "一码通怎么激活" in page.get_data(as_text=True)
    admin_id = make_staff(cs, "boss", "admin")
    assert admin_id
    boss = StaffBrowser(cs.test_client())
    assert boss.login("boss", "Admin@2026").status_code == 302
    poll = boss.client.get("/staff/cs/poll", query_string={"c": assigned, "after": 0})
    assert poll.status_code == 200 and poll.get_json()["messages"]


def test_after_a_transfer_out_of_his_queues_the_agent_no_longer_sees_it(cs, chat, client):
    assigned, _ = chat
    page = client.get(f"/staff/cs/?c={assigned}").get_data(as_text=True)
    resp = client.post(f"/staff/cs/c/{assigned}/transfer",
                       data={"csrf_token": csrf_from(page), "queue": "VOTE"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/staff/cs/")
    assert client.get(f"/staff/cs/?c={assigned}").status_code == 404
