"""V-2 register import (DBF and CSV, all or nothing) and V-6/V-8/V-9 totals, tiers, export."""
import io
from fractions import Fraction

from openpyxl import load_workbook

from models import VoteHolding, VoteMeeting
from tests.accounts.account_helpers import Staff
from tests.voting.vote_helpers import WANG_AN, WANG_AN_YMT, cast_vote, make_meeting, sign_in, text
from wechat_hall.adapters.holder_register import write_dbf
from wechat_hall.extensions import db
from wechat_hall.services.voting import tally

HEADER = "ZQDM,ZQZH,HSTMC,HSTZJLB,HSTZJHM,HSTCYRLB,CYSL,ZQLB,LTLX\n"


def _holdings(app, meeting_id, parent=""):
    with app.app_context():
        rows = db.session.execute(db.select(VoteHolding).filter_by(
            meeting_id=meeting_id, parent_account=parent)).scalars()
        return {r.account: (r.name, r.quantity, r.split) for r in rows}


def test_import_csv_aggregates_per_account(app, runner, registry, tmp_path):
    meeting = make_meeting(app, register=[])
    path = tmp_path / "t1.csv"
    path.write_text(HEADER +
                    "600888,A312600024,王安,01,211103198603040003,1000,3000,PT,0\n"
                    "600888,A312600024,王安,01,211103198603040003,1000,2000,XL,F\n"
                    "600888,B880000001,香港中央结算有限公司,,,2200,900000,PT,0\n"
                    "600888,B880000002,中信证券股份有限公司客户信用交易担保证券账户,,,2000,60000,PT,0\n"
                    "600888,A100000009,某QFII,,,2210,500,PT,0\n", encoding="utf-8")
    result = runner.invoke(args=["vote", "import-register", str(meeting["id"]), str(path)])
    assert result.exit_code == 0, result.output
    assert "5 条记录，4 个证券账户" in result.output
    rows = _holdings(app, meeting["id"])
    assert rows["A312600024"] == ("王安", 5000, False)
    assert rows["B880000001"][2] is True          # 香港结算: nominee
    assert rows["B880000002"][2] is True          # an institution's credit account
    assert rows["A100000009"][2] is True          # QFII category
    # The underlying holders of the credit account, then one that would exceed it.
    under = tmp_path / "under.csv"
    under.write_text(HEADER + "600888,E078900271,张伟,,,1000,3000,PT,0\n", encoding="utf-8")
    ok = runner.invoke(args=["vote", "import-register", str(meeting["id"]), str(under),
                             "--under", "B880000002"])
    assert ok.exit_code == 0, ok.output
    assert _holdings(app, meeting["id"], "B880000002") == {"E078900271": ("张伟", 3000, False)}
    over = tmp_path / "over.csv"
    over.write_text(HEADER + "600888,E078900271,张伟,,,1000,60001,PT,0\n", encoding="utf-8")
    bad = runner.invoke(args=["vote", "import-register", str(meeting["id"]), str(over),
                              "--under", "B880000002"])
    assert bad.exit_code != 0 and "超过 B880000002 的持有数量" in bad.output
    assert _holdings(app, meeting["id"], "B880000002") == {"E078900271": ("张伟", 3000, False)}


def test_import_dbf_with_progress(app, runner, registry, tmp_path):
    meeting = make_meeting(app, register=[])
    path = write_dbf(tmp_path / "t16008880320170104all.105", [
        {"ZQDM": "600888", "ZQZH": "A312600024", "HSTMC": "王安", "HSTCYRLB": "1000",
         "CYSL": 5000, "ZQLB": "PT", "LTLX": "0"},
        {"ZQDM": "600888", "ZQZH": "A278900271", "HSTMC": "张伟", "HSTCYRLB": "1000",
         "CYSL": 12000, "ZQLB": "PT", "LTLX": "0"}])
    result = runner.invoke(args=["vote", "import-register", str(meeting["id"]), str(path)])
    assert result.exit_code == 0, result.output
    assert "读取名册" in result.output  # click.progressbar
    assert _holdings(app, meeting["id"]) == {"A312600024": ("王安", 5000, False),
                                             "A278900271": ("张伟", 12000, False)}
    with app.app_context():
        assert db.session.get(VoteMeeting, meeting["id"]).register_rows == 2


def test_a_bad_register_changes_nothing(app, runner, registry, tmp_path):
    meeting = make_meeting(app)
    before = _holdings(app, meeting["id"])
    cases = [
        ("600888,A312600024,王安,,,1000,-5,PT,0\n", "不是非负数"),
        ("600999,A312600024,王安,,,1000,5,PT,0\n", "不是本次会议的证券"),
        ("600888,A312600024,王安,,,1000,5.5,PT,0\n", "不是整数"),
        ("600888,BAD,王安,,,1000,5,PT,0\n", "格式有误"),
    ]
    for n, (row, message) in enumerate(cases):
        path = tmp_path / f"bad{n}.csv"
        path.write_text(HEADER + "600888,A278900271,张伟,,,1000,100,PT,0\n" + row,
                        encoding="utf-8")
        result = runner.invoke(args=["vote", "import-register", str(meeting["id"]), str(path)])
        assert result.exit_code != 0 and message in result.output, result.output
        assert "名册未导入" in result.output
        assert _holdings(app, meeting["id"]) == before
    junk = tmp_path / "junk.dbf"
    junk.write_bytes(b"not a dbf at all")
    result = runner.invoke(args=["vote", "import-register", str(meeting["id"]), str(junk)])
    assert result.exit_code != 0 and _holdings(app, meeting["id"]) == before


def test_the_register_is_fixed_once_voting_started(app, client, runner, registry, tmp_path):
    meeting = make_meeting(app)
    cast_vote(app, meeting["id"], WANG_AN, 5000, "for")
    path = tmp_path / "t1.csv"
    path.write_text(HEADER + "600888,A312600024,王安,,,1000,9,PT,0\n", encoding="utf-8")
    result = runner.invoke(args=["vote", "import-register", str(meeting["id"]), str(path)])
    assert result.exit_code != 0 and "已有投票" in result.output
    assert _holdings(app, meeting["id"])[WANG_AN][1] == 5000


def _close(app, meeting_id):
    from datetime import timedelta
    with app.app_context():
        meeting = db.session.get(VoteMeeting, meeting_id)
        meeting.closes_at = meeting.opens_at + timedelta(minutes=1)
        db.session.commit()


# Total share capital 1,000,000 and price 100.00: 1% = 10,000 shares, 5% = 50,000 shares,
# 500,000 yuan = 5,000 shares.
CRAFTED = [("A900000001", "小", 4_999), ("A900000002", "市值刚好", 5_000),
           ("A900000003", "刚好1%", 10_000), ("A900000004", "不到5%", 49_999),
           ("A900000005", "刚好5%", 50_000), ("A900000006", "大", 300_000)]


def test_tiers_on_a_crafted_register(app, registry):
    meeting = make_meeting(app, register=CRAFTED, total_shares=1_000_000, price="100.00")
    with app.app_context():
        tiers = tally.tiers_for(db.session.get(VoteMeeting, meeting["id"]))
    assert [tiers.of(q) for _, _, q in CRAFTED] == [
        "small", "small_rich", "middle", "middle", "large", "large"]
    assert tiers.labels == {"small": "1%以下且市值小于50万元", "small_rich": "1%以下且市值大于等于50万元",
                            "middle": "1%-5%(含1%)", "large": "5%以上(含5%)"}
    for (account, _, shares), choice in zip(CRAFTED, ["for", "against", "for", "abstain",
                                                       "for", "against"]):
        cast_vote(app, meeting["id"], account, shares, choice)
    with app.app_context():
        result = tally.tally(db.session.get(VoteMeeting, meeting["id"]))
    item1 = meeting["items"][0]
    t = result.ordinary[item1]
    assert t["for"] == {"small": 4_999, "small_rich": 0, "middle": 10_000, "large": 50_000,
                        "all": 64_999}
    assert t["against"] == {"small": 0, "small_rich": 5_000, "middle": 0, "large": 300_000,
                            "all": 305_000}
    assert t["abstain"]["middle"] == 49_999
    assert result.holders == {"small": 4_999, "small_rich": 5_000, "middle": 59_999,
                              "large": 350_000, "all": 419_998}
    assert result.holder_counts["middle"] == 2 and result.ballots == 6
    # Unallocated 选举型 rights are 弃权 of that group.
    assert result.unallocated[db_proposal(app, meeting, 2)]["all"] == 419_998 * 2


def db_proposal(app, meeting, number):
    from models import VoteProposal
    with app.app_context():
        return db.session.execute(db.select(VoteProposal.id).filter_by(
            meeting_id=meeting["id"], number=number)).scalar_one()


def test_tier_bands_are_configuration(make_app, registry):
    app = make_app(VOTE_TIER_SMALL_RATIO="0.02", VOTE_TIER_MARKET_VALUE="1000000")
    meeting = make_meeting(app, register=CRAFTED, total_shares=1_000_000, price="100.00")
    with app.app_context():
        tiers = tally.tiers_for(db.session.get(VoteMeeting, meeting["id"]))
    # 2% = 20,000 shares; 1,000,000 yuan at 100.00 = 10,000 shares.
    assert tiers.of(9_999) == "small" and tiers.of(10_000) == "small_rich"
    assert tiers.of(19_999) == "small_rich" and tiers.of(20_000) == "middle"
    assert tiers.labels["small"] == "2%以下且市值小于100万元"


def test_results_page_only_after_close_with_totals_by_tier(app, client, registry):
    meeting = make_meeting(app)
    sign_in(app, client, WANG_AN_YMT, "13900000001")
    cast_vote(app, meeting["id"], WANG_AN, 5000, "for", {meeting["items"][2]: 10_000})
    resp = client.get(f"/h5/votes/{meeting['id']}/results")
    assert resp.status_code == 403 and "投票结束后方可查看" in text(resp)
    _close(app, meeting["id"])
    page = text(client.get(f"/h5/votes/{meeting['id']}/results"))
    assert "1%以下且市值小于50万元持有数量" in page and "5,000" in page
    assert "赞成：<b>5,000</b>" in page and "得票数：<b>10,000</b>" in page
    # as the seed words them (issue 16): the tier under each item, the price with two decimals
    assert "• 持股1%以下且持股市值50万元以下" in page and "登记日收盘价 25.00 元" in page
    assert "已结束" in text(client.get("/h5/votes"))


def test_admin_sees_totals_after_close_and_exports(app, registry):
    meeting = make_meeting(app)
    cast_vote(app, meeting["id"], WANG_AN, 5000, "against")
    admin = Staff(app, "boss", "admin")
    page = admin.get(f"/admin/vote-results/{meeting['id']}").get_data(as_text=True)
    assert "投票尚未结束" in page and 'id="ballot-count">1<' in page
    assert admin.get(f"/admin/vote-results/{meeting['id']}/export.xlsx").status_code == 302
    _close(app, meeting["id"])
    page = admin.get(f"/admin/vote-results/{meeting['id']}?verify=1").get_data(as_text=True)
    assert "回执链完整：1 张选票" in page and "1%以下且市值小于50万元" in page
    xlsx = admin.get(f"/admin/vote-results/{meeting['id']}/export.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["汇总", "投票股东", "投票记录"]
    summary = [list(r) for r in book["汇总"].iter_rows(values_only=True)]
    assert ["1.01", "议案1", "表决型", "全部", 0, 5000, 0, None, "0.0000%"] in summary
    audit = [list(r) for r in book["投票记录"].iter_rows(values_only=True)]
    assert audit[1][1] == WANG_AN and len(audit[1][7]) == 64
    csv_text = admin.get(f"/admin/vote-results/{meeting['id']}/export.csv").data.decode("utf-8-sig")
    assert "1.01,议案1,表决型,全部,0,5000,0" in csv_text
    # Not for staff without the admin role.
    agent = Staff(app, "agent1", "agent")
    assert agent.get(f"/admin/vote-results/{meeting['id']}/export.csv").status_code in (302, 403)


def _expected_tier(shares, total=1_000_000, price=100):
    """The seed's bands, worked out here from the ratio and the market value."""
    ratio, value = Fraction(shares, total), shares * price
    if ratio >= Fraction(5, 100):
        return "5%以上(含5%)"
    if ratio >= Fraction(1, 100):
        return "1%-5%(含1%)"
    return "1%以下且市值大于等于50万元" if value >= 500_000 else "1%以下且市值小于50万元"


def test_the_export_gives_each_tiers_approval_ratio(app, registry):
    """赞成比例 of each 表决型 item and tier is 赞成 ÷ (赞成 + 反对 + 弃权) of the holders
    of that tier, to four places — checked against figures worked out from the register
    and the votes here, not from the tally."""
    choices = ["for", "against", "for", "abstain", "for", "against"]
    meeting = make_meeting(app, register=CRAFTED, total_shares=1_000_000, price="100.00")
    for (account, _, shares), choice in zip(CRAFTED, choices):
        cast_vote(app, meeting["id"], account, shares, choice)
    votes = {}  # tier label → {choice: shares}
    for (_, _, shares), choice in zip(CRAFTED, choices):
        for label in ("全部", _expected_tier(shares)):
            by_choice = votes.setdefault(label, {"for": 0, "against": 0, "abstain": 0})
            by_choice[choice] += shares
    expected = {label: f"{float(round(Fraction(100 * v['for'], sum(v.values())), 4)):.4f}%"
                for label, v in votes.items()}
    assert expected == {"全部": "15.4760%", "1%以下且市值小于50万元": "100.0000%",
                        "1%以下且市值大于等于50万元": "0.0000%", "1%-5%(含1%)": "16.6669%",
                        "5%以上(含5%)": "14.2857%"}
    with app.app_context():
        result = tally.tally(db.session.get(VoteMeeting, meeting["id"]))
        rows = tally.rows_for_export(result)
    for code in ("1.01", "1.02"):
        got = {row[3]: (row[4], row[5], row[6], row[8]) for row in rows if row[0] == code}
        assert got == {label: (v["for"], v["against"], v["abstain"], expected[label])
                       for label, v in votes.items()}
    # Candidates carry votes, not a ratio; a tier nobody voted in has no ratio at all.
    assert all(len(row) == 8 and row[4:7] == ["", "", ""] for row in rows if row[0][0] == "2")
    lone = make_meeting(app)  # 王安 alone: 5,000 of 200,000,000 shares at 25.00 元
    cast_vote(app, lone["id"], WANG_AN, 5000, "against")
    with app.app_context():
        rows = tally.rows_for_export(tally.tally(db.session.get(VoteMeeting, lone["id"])))
    assert {row[3]: row[8] for row in rows if row[0] == "1.01"} == {
        "全部": "0.0000%", "1%以下且市值小于50万元": "0.0000%", "1%以下且市值大于等于50万元": "—",
        "1%-5%(含1%)": "—", "5%以上(含5%)": "—"}
    assert tally.percent(1, 3) == "33.3333%" and tally.percent(0, 0) == "—"
    assert tally.percent(2, 3) == "66.6667%" and tally.percent(1, 8) == "12.5000%"
