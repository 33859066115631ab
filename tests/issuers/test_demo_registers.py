"""The demo ledger carries every register (ISS-1) and the meetings' register can be taken
from it (V-2): the back office's button replaces the register of a meeting without
ballots with the T1 holders at its record date, and refuses once ballots are cast."""
import csv

import pytest

from models import MajorHolderChange, VoteHolding, VoteMeeting
from tests import seeding
from tests.accounts.account_helpers import Staff
from wechat_hall.demo import voting as demo_voting
from wechat_hall.extensions import db

DAY = "2026-11-23"  # the last trading day before the frozen clock's 2026-11-24


@pytest.fixture
def demo(app):
    return seeding.load(app, "demo")


def _csv(runner, tmp_path, *args):
    result = runner.invoke(args=["issuer", "register", *args, "--out", str(tmp_path),
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    with open(result.output.strip(), encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_every_register_of_the_demo(demo, tmp_path):
    runner = demo.test_cli_runner()
    t1 = _csv(runner, tmp_path, "T1", "600888", DAY)
    assert sum(int(r["CYSL"]) for r in t1) == 200_000_000
    assert {r["HSTCYRLB"] for r in t1} >= {"1000", "2000", "2100", "2200", "2010", "2020",
                                          "2001", "2002"}
    assert {(r["ZQLB"], r["LTLX"]) for r in t1} >= {("XL", "C"), ("XL", "A"), ("PT", "D"),
                                                   ("PT", "0")}
    collateral = {}  # one T1 row per custodian unit of the linked accounts
    for r in t1:
        if r["ZQZH"] in ("B880000002", "B881000020"):
            collateral[r["ZQZH"]] = collateral.get(r["ZQZH"], 0) + int(r["CYSL"])
    assert collateral == {"B880000002": 50_000, "B881000020": 200_000}
    t5 = _csv(runner, tmp_path, "T5", "600888", DAY)
    assert {(r["DBZH"], r["ZQZH"], r["CYSL"]) for r in t5} == {
        ("B880000002", "E078900271", "3000"), ("B880000002", "E100000001", "2000"),
        ("B880000002", "E100000002", "45000"), ("B881000020", "B881000021", "200000")}
    for account, quantity in collateral.items():  # T1's collateral rows are T5's sums
        assert sum(int(r["CYSL"]) for r in t5 if r["DBZH"] == account) == quantity
    t3 = _csv(runner, tmp_path, "T3", "600888", DAY, "--top", "10")
    zhang = next(r for r in _csv(runner, tmp_path, "T3", "600888", DAY)
                 if r["HSTMC"] == "张伟")
    assert (zhang["PTSL"], zhang["XYSL"]) == ("12000", "3000")
    assert [r["XH"] for r in t3] == [str(n) for n in range(1, 11)]
    t4 = _csv(runner, tmp_path, "T4", "600888", DAY)
    assert [(r["ZQZH"], r["GHSL"], r["ZYZHSL"]) for r in t4] == [
        ("A312600024", "60000", "100000"), ("A330100204", "40000", "100000")]
    t6 = _csv(runner, tmp_path, "T6", "019547", DAY)
    assert sorted((r["ZQZH"], r["ZYSL"], r["ZYZHSL"]) for r in t6) == [
        ("A312600024", "20000", "320000"), ("B882000001", "300000", "320000")]
    b = _csv(runner, tmp_path, "B", "900901", DAY)
    assert any(r["HSTMC"] == "Pacific Harbour Capital Ltd" and r["HSTCYRLB"] == "2200"
               for r in b)
    with demo.app_context():
        kinds = set(db.session.execute(db.select(MajorHolderChange.kind)).scalars())
    assert {"status", "entered", "quantity", "ratio"} <= kinds


def _meeting(app, title):
    with app.app_context():
        return db.session.execute(db.select(VoteMeeting).filter_by(title=title)).scalar_one()


def test_the_meeting_register_from_the_ledger(demo):
    admin = Staff(demo, "boss", "admin")
    meeting = _meeting(demo, demo_voting.OPEN_TITLE)
    page = admin.get(f"/admin/vote-results/{meeting.id}").get_data(as_text=True)
    assert "从登记数据生成名册" in page
    resp = admin.post(f"/admin/vote-results/{meeting.id}/register-from-ledger", {},
                      page=f"/admin/vote-results/{meeting.id}")
    assert resp.status_code == 302
    page = admin.get(f"/admin/vote-results/{meeting.id}").get_data(as_text=True)
    assert f"已从登记数据生成权益登记日 {meeting.record_date} 的持有人名册" in page
    with demo.app_context():
        rows = {h.account: h for h in db.session.execute(db.select(VoteHolding).filter_by(
            meeting_id=meeting.id)).scalars()}
        stored = db.session.get(VoteMeeting, meeting.id)
        assert stored.register_rows == len(rows)
        assert stored.register_file == f"登记数据（权益登记日 {meeting.record_date}）"
    assert sum(h.quantity for h in rows.values()) == 200_000_000
    assert rows["B880000002"].quantity == 50_000 and rows["B880000002"].split
    assert rows["B880000001"].split  # 香港中央结算有限公司 votes per underlying holder
    assert (rows["A312600024"].quantity, rows["A312600024"].split) == (5_000, False)
    assert rows["B881000003"].holder_category == "2100"
    assert not any(h.parent_account for h in rows.values())


def test_a_meeting_with_ballots_keeps_its_register(demo):
    admin = Staff(demo, "boss", "admin")
    meeting = _meeting(demo, demo_voting.CLOSED_TITLE)
    with demo.app_context():
        before = db.session.execute(db.select(db.func.count(VoteHolding.id)).filter_by(
            meeting_id=meeting.id)).scalar()
    page = admin.get(f"/admin/vote-results/{meeting.id}").get_data(as_text=True)
    assert "从登记数据生成名册" not in page
    resp = admin.post(f"/admin/vote-results/{meeting.id}/register-from-ledger", {},
                      page=f"/admin/vote-results/{meeting.id}")
    assert resp.status_code == 302
    page = admin.get(f"/admin/vote-results/{meeting.id}").get_data(as_text=True)
    assert "名册未生成，未做任何修改：本次会议已有投票，持有人名册不能再更换" in page
    with demo.app_context():
        assert db.session.execute(db.select(db.func.count(VoteHolding.id)).filter_by(
            meeting_id=meeting.id)).scalar() == before


def test_the_button_wants_the_admin_and_a_csrf_token(demo):
    meeting = _meeting(demo, demo_voting.OPEN_TITLE)
    agent = Staff(demo, "desk", "agent")
    resp = agent.post(f"/admin/vote-results/{meeting.id}/register-from-ledger", {})
    assert resp.status_code == 403
    admin = Staff(demo, "boss", "admin")
    resp = admin.client.post(f"/admin/vote-results/{meeting.id}/register-from-ledger")
    assert resp.status_code == 400
