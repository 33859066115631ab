"""V-5: the first ballot counts, even under 100 concurrent submissions; the receipt chain
and its verification."""
import threading

from sqlalchemy import text as sql

from models import VoteHolding, VoteMeeting
from wechat_hall.extensions import db
from wechat_hall.services.voting import ballots as voting_ballots
from wechat_hall.services.voting import opinions, receipts
from wechat_hall.services.voting.ballots import AlreadyVoted
from wechat_hall.services.voting.opinions import Opinion

from tests.voting.vote_helpers import WANG_AN, ZHANG_WEI, ballots, make_meeting


def _cast(app, meeting_id, account, shares, choice="for"):
    with app.app_context():
        meeting = db.session.get(VoteMeeting, meeting_id)
        struct = opinions.structure(meeting)
        item = struct.ordinary[0][1][0]
        opinion = Opinion(ordinary={item.id: choice})
        lines = opinions.resolve(struct, shares, opinion, account).lines
        holding = db.session.execute(db.select(VoteHolding).filter_by(
            meeting_id=meeting_id, parent_account="", account=account)).scalar_one()
        assert holding.quantity == shares
        try:
            return voting_ballots.cast(meeting, holding, lines, channel="web").receipt
        finally:
            db.session.remove()


def test_100_concurrent_submissions_for_one_account_make_one_ballot(app, registry):
    meeting = make_meeting(app)
    start = threading.Barrier(100)
    outcomes, lock = [], threading.Lock()

    def submit(n):
        start.wait()
        try:
            receipt = _cast(app, meeting["id"], WANG_AN, 5000,
                            ("for", "against", "abstain")[n % 3])
            result = ("cast", receipt)
        except AlreadyVoted as exc:
            result = ("refused", exc.ballot.receipt)
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            result = ("error", repr(exc))
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == 100
    assert not [o for o in outcomes if o[0] == "error"], outcomes[:3]
    cast = [o for o in outcomes if o[0] == "cast"]
    assert len(cast) == 1
    [ballot] = ballots(app, meeting["id"])
    assert all(o[1] == ballot.receipt for o in outcomes)  # the refused ones get its receipt
    assert len(ballot.line_rows) == 2 + 1  # 1.01, 1.02 (implicit), unallocated 2.00
    with app.app_context():
        assert receipts.verify(meeting["id"]).ok


def test_concurrent_ballots_of_different_accounts_all_chain(app, registry):
    register = [(f"A9{n:08d}", f"持有人{n}", 100 + n) for n in range(30)]
    meeting = make_meeting(app, register=register)
    errors = []

    def submit(account, shares):
        try:
            _cast(app, meeting["id"], account, shares)
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=submit, args=(a, q)) for a, _, q in register]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    rows = sorted(ballots(app, meeting["id"]), key=lambda b: b.seq)
    assert [b.seq for b in rows] == list(range(1, 31))
    with app.app_context():
        result = receipts.verify(meeting["id"])
        assert result.ok and result.ballots == 30


def test_the_chain_catches_an_edited_row(app, registry, runner):
    meeting = make_meeting(app)
    _cast(app, meeting["id"], WANG_AN, 5000)
    _cast(app, meeting["id"], ZHANG_WEI, 12000)
    result = runner.invoke(args=["vote", "verify-chain", str(meeting["id"])])
    assert result.exit_code == 0 and "回执链完整：2 张选票" in result.output
    with app.app_context():
        # Someone with database access turns 王安's 赞成 into 反对.
        db.session.execute(sql("UPDATE vote_ballot_line SET choice = 'against' WHERE "
                               "holder_account = :a AND choice = 'for'"), {"a": WANG_AN})
        db.session.commit()
        result = receipts.verify(meeting["id"])
    assert not result.ok
    assert any("第 1 张选票（账户 A312600024）的内容与回执不符" in e for e in result.errors)
    cli = runner.invoke(args=["vote", "verify-chain", str(meeting["id"])])
    assert cli.exit_code != 0 and "回执链校验失败" in cli.output


def test_the_chain_catches_a_deleted_ballot_and_a_changed_weight(app, registry):
    meeting = make_meeting(app)
    _cast(app, meeting["id"], WANG_AN, 5000)
    _cast(app, meeting["id"], ZHANG_WEI, 12000)
    with app.app_context():
        db.session.execute(sql("UPDATE vote_ballot SET shares = 50000 WHERE account = :a"),
                           {"a": ZHANG_WEI})
        db.session.commit()
        assert any("第 2 张选票" in e for e in receipts.verify(meeting["id"]).errors)
        db.session.execute(sql("DELETE FROM vote_ballot_line WHERE ballot_id IN (SELECT id FROM "
                               "vote_ballot WHERE account = :a)"), {"a": ZHANG_WEI})
        db.session.execute(sql("DELETE FROM vote_ballot WHERE account = :a"), {"a": ZHANG_WEI})
        db.session.commit()
        errors = receipts.verify(meeting["id"]).errors
    assert any("链头记录" in e for e in errors)


def test_receipts_chain_to_the_previous_ballot(app, registry):
    meeting = make_meeting(app)
    first = _cast(app, meeting["id"], WANG_AN, 5000)
    _cast(app, meeting["id"], ZHANG_WEI, 12000)
    rows = {b.account: b for b in ballots(app, meeting["id"])}
    assert rows[WANG_AN].prev_hash == receipts.genesis(meeting["id"])
    assert rows[ZHANG_WEI].prev_hash == first and rows[ZHANG_WEI].seq == 2
