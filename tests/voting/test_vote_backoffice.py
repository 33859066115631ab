"""V-1: meetings, proposals (N.00) and items/candidates (N.01 …) in the back office."""
import re
from datetime import datetime

from models import VoteItem, VoteMeeting, VoteProposal
from tests.accounts.account_helpers import Staff
from tests.voting.vote_helpers import WANG_AN, cast_vote, make_meeting
from wechat_hall.extensions import db


def _form(admin, path):
    page = admin.get(path).get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def _meeting_data(csrf, **over):
    data = {"csrf_token": csrf, "security_code": "600888", "security_name": "浦江科技",
            "title": "2027年第一次持有人会议", "record_date": "2027-01-04",
            "opens_at": "2027-01-10 09:15:00", "closes_at": "2027-01-11 15:00:00",
            "total_shares": "200000000", "close_price": "25.00", "has_overall": "y",
            "notice": ""}
    data.update(over)
    return data


def test_admin_creates_a_meeting_with_proposals_and_candidates(app, registry):
    admin = Staff(app, "boss", "admin")
    csrf = _form(admin, "/admin/votemeeting/new/")
    resp = admin.client.post("/admin/votemeeting/new/", data=_meeting_data(csrf))
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    with app.app_context():
        meeting = db.session.execute(db.select(VoteMeeting)).scalar_one()
        # typed in Shanghai time, stored as UTC
        assert meeting.opens_at == datetime(2027, 1, 10, 1, 15)
        meeting_id = meeting.id
    csrf = _form(admin, "/admin/voteproposal/new/")
    bad = admin.client.post("/admin/voteproposal/new/", data={
        "csrf_token": csrf, "meeting": str(meeting_id), "number": "2", "title": "选举董事",
        "kind": "election", "seats": ""})
    assert "选举型议案须填写当选数" in bad.get_data(as_text=True)
    for number, title, kind, seats in [("1", "议案", "ordinary", ""), ("2", "选举董事", "election", "2")]:
        resp = admin.client.post("/admin/voteproposal/new/", data={
            "csrf_token": csrf, "meeting": str(meeting_id), "number": number, "title": title,
            "kind": kind, "seats": seats})
        assert resp.status_code == 302
    with app.app_context():
        p2 = db.session.execute(db.select(VoteProposal).filter_by(number=2)).scalar_one()
        p2_id = p2.id
    for n, title in [("1", "李华"), ("2", "周敏")]:
        resp = admin.client.post("/admin/voteitem/new/", data={
            "csrf_token": _form(admin, "/admin/voteitem/new/"), "proposal": str(p2_id),
            "number": n, "title": title})
        assert resp.status_code == 302
    listing = admin.get("/admin/voteitem/").get_data(as_text=True)
    assert "2.01" in listing and "2.02" in listing
    assert "1.00" in admin.get("/admin/voteproposal/").get_data(as_text=True)
    with app.app_context():
        assert [i.code for i in db.session.execute(db.select(VoteItem)).scalars()] == ["2.01", "2.02"]


def test_bad_meeting_input_is_refused(app, registry):
    admin = Staff(app, "boss", "admin")
    csrf = _form(admin, "/admin/votemeeting/new/")
    for over, message in [({"closes_at": "2027-01-09 15:00:00"}, "投票结束时间须晚于开始时间"),
                          ({"security_code": "60088"}, "证券代码须为6位数字"),
                          ({"total_shares": "0"}, "总股本须为正整数"),
                          ({"close_price": "-1"}, "收盘价不能为负数")]:
        resp = admin.client.post("/admin/votemeeting/new/", data=_meeting_data(csrf, **over))
        assert message in resp.get_data(as_text=True), message
    with app.app_context():
        assert db.session.execute(db.select(VoteMeeting)).first() is None


def test_proposals_are_fixed_once_voting_started(app, registry):
    meeting = make_meeting(app)
    cast_vote(app, meeting["id"], WANG_AN, 5000, "for")
    admin = Staff(app, "boss", "admin")
    with app.app_context():
        item_id = meeting["items"][0]
        proposal_id = db.session.get(VoteItem, item_id).proposal_id
    csrf = _form(admin, f"/admin/voteitem/edit/?id={item_id}")
    resp = admin.client.post(f"/admin/voteitem/edit/?id={item_id}", data={
        "csrf_token": csrf, "proposal": str(proposal_id), "number": "1", "title": "改过的议案"})
    assert "本次会议已有投票" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(VoteItem, item_id).title == "议案1"
    csrf = _form(admin, f"/admin/votemeeting/edit/?id={meeting['id']}")
    resp = admin.client.post(f"/admin/votemeeting/edit/?id={meeting['id']}", data=_meeting_data(
        csrf, opens_at="2020-01-01 09:00:00", closes_at="2030-01-01 09:00:00",
        record_date="2017-01-04", title="测试持有人会议"))
    assert "本次会议已有投票" in resp.get_data(as_text=True)


def test_the_register_is_listed_for_admins_only(app, registry):
    make_meeting(app)
    admin = Staff(app, "boss", "admin")
    page = admin.get("/admin/voteholding/").get_data(as_text=True)
    assert WANG_AN in page and "香港中央结算有限公司" in page
    agent = Staff(app, "agent1", "agent")
    assert agent.get("/admin/voteholding/").status_code == 403


def test_the_item_form_names_each_proposals_meeting_and_filters_by_it(app, registry):
    """Issue 16: "1.00 议案" once per meeting was ambiguous."""
    make_meeting(app)
    with app.app_context():
        other = VoteMeeting(security_code="600999", security_name="示例股份", title="另一次会议",
                            record_date=datetime(2026, 11, 20).date(),
                            opens_at=datetime(2026, 12, 1), closes_at=datetime(2026, 12, 10),
                            total_shares=1_000_000, close_price=10)
        db.session.add(other)
        db.session.flush()
        db.session.add(VoteProposal(meeting_id=other.id, number=1, title="议案", kind="ordinary"))
        db.session.commit()
    admin = Staff(app, "boss", "admin")
    page = admin.get("/admin/voteitem/new/").get_data(as_text=True)
    assert "600999 示例股份 另一次会议 · 1.00 议案" in page
    assert "600888 浦江科技" in page and page.count("· 1.00 ") == 2
    listing = admin.get("/admin/voteitem/").get_data(as_text=True)
    assert "会议名称" in listing and "所属会议" in listing
    slots = admin.get("/admin/bookingslot/").get_data(as_text=True)
    assert "网点代码" in slots and re.search(r"datepicker_zh(\.[0-9a-f]+)?\.js", slots)
