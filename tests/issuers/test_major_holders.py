"""ISS-3, the computation, on a crafted sequence of trading days: a change of quantity,
of ratio and of pledge each gives a change of a 5 % holder; holders crossing 5 % enter or
leave; changes below 5 % give none. Holders are merged as T3 (a credit account counts for
its owner). The timed job runs after the close of a trading day only, once."""
from datetime import date, datetime

import pytest

from models import MajorHolderChange, MajorHolderDay, MajorHolderRun
from tests.issuers.ledger_world import World
from wechat_hall.extensions import db
from wechat_hall.jobs.registry import PERIODIC
from wechat_hall.services.issuers import major_holders

D = {n: date(2026, 11, n) for n in (13, 16, 17, 18, 19, 20, 23, 24)}


@pytest.fixture
def days(app):
    """Total 10,000 on the 13th: A 600 (6 %: 500 ordinary + 100 in a credit account),
    B 400, C 8,700, D 300. Then day by day, as the comments say."""
    with app.app_context():
        w = World()
        collateral = w.collateral()
        a = w.holder("甲", "110101199001010011", 500, day=D[13])
        b = w.holder("乙", "110101199001010022", 400, day=D[13])
        w.holder("丙公司", "91310000MA1K00001X", 8700, day=D[13], id_type="uscc",
                     institution=True)
        d = w.holder("丁", "110101199001010033", 300, day=D[13])
        db.session.flush()
        a_credit = w.credit_account(a.ymt_account.investor, collateral)
        w.hold(a_credit, 100, day=D[13])
        e = w.holder("戊", "110101199001010044")
        f = w.holder("己", "110101199001010055")
        g = w.holder("庚", "110101199001010066")
        w.hold(d, -100, day=D[17])          # below 5 %: D to E
        w.hold(e, 100, day=D[17])
        w.hold(d, -100, day=D[18])          # A buys 100 (in the credit account) from D
        w.hold(a_credit, 100, day=D[18])
        w.freeze(a, 200, start=D[19])       # A pledges 200
        w.hold(f, 500, day=D[20])           # a new issue to F and G (4.5454 % each):
        w.hold(g, 500, day=D[20])           # the total is 11,000
        w.hold(f, -200, day=D[23])          # B buys 200 from F: 600 / 11,000 = 5.4545 %
        w.hold(b, 200, day=D[23])
        w.hold(b, -200, day=D[24])          # and sells it back the next day
        w.hold(f, 200, day=D[24])
        db.session.commit()
        yield w


def _changes(day):
    security = db.session.execute(db.select(MajorHolderRun.security_id)).scalars().first()
    return sorted((c.name, c.kind, c.before, c.after)
                  for c in major_holders.changes_for(security, day))


def test_a_sequence_of_days(app, days):
    with app.app_context():
        for n in (16, 17, 18, 19, 20, 23, 24):
            major_holders.run_all(D[n])
        db.session.commit()
        assert _changes(D[16]) == []
        assert _changes(D[17]) == []  # D and E changed, both below 5 %
        assert _changes(D[18]) == [("甲", "quantity", "600", "700"),
                                   ("甲", "ratio", "6.0000%", "7.0000%")]
        assert _changes(D[19]) == [("甲", "status", "冻结0股，质押0股", "冻结0股，质押200股")]
        assert _changes(D[20]) == [("丙公司", "ratio", "87.0000%", "79.0909%"),
                                   ("甲", "ratio", "7.0000%", "6.3636%")]
        assert _changes(D[23]) == [("乙", "entered", "", "600股（5.4545%）")]
        assert _changes(D[24]) == [("乙", "left", "600股（5.4545%）", "")]
        listed = major_holders.holders_for(days.security, D[23])
        assert [(h.name, h.quantity, str(h.ratio), h.pledged) for h in listed] == [
            ("丙公司", 8700, "79.090900", 0), ("甲", 700, "6.363600", 200),
            ("乙", 600, "5.454500", 0)]
        run = db.session.execute(db.select(MajorHolderRun).filter_by(day=D[20])).scalar_one()
        assert (run.previous_day, run.total_shares, run.holders, run.changes) == (
            D[19], 11000, 2, 2)


def test_exactly_five_per_cent_counts(days):
    """Inside the fixture's app context (its objects stay attached to its session)."""
    w = days
    h = w.holder("辛", "110101199001010077")
    w.hold(h, 578, day=D[24])               # 578 × 20 = 11,560 < 11,578: below 5 %
    db.session.commit()
    found, total = major_holders.holders_at(w.security.id, D[24])
    assert total == 11578 and "resident_id|110101199001010077|辛" not in found
    w.hold(h, 1, day=D[24])                 # 579 × 20 = 11,580 ≥ 11,579
    db.session.commit()
    found, total = major_holders.holders_at(w.security.id, D[24])
    assert total == 11579 and found["resident_id|110101199001010077|辛"].quantity == 579


def test_the_cli_runs_a_day_once(app, days):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["issuer", "major-holders", "--day", "2026-11-18"])
    assert result.exit_code == 0, result.output
    assert "2026-11-18：计算 1 只证券，持股5%以上股东变化 2 项。" in result.output
    again = runner.invoke(args=["issuer", "major-holders", "--day", "2026-11-18"])
    assert "变化 2 项" in again.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(MajorHolderChange.id))).scalar() == 2
        assert db.session.execute(db.select(db.func.count(MajorHolderDay.id))).scalar() == 2
    weekend = runner.invoke(args=["issuer", "major-holders", "--day", "2026-11-22"])
    assert weekend.exit_code == 2 and "2026-11-22 不是交易日" in weekend.output


@pytest.mark.parametrize("utc,runs", [
    (datetime(2026, 11, 24, 7, 29), 0),   # 15:29 in Shanghai: before the close is done
    (datetime(2026, 11, 24, 7, 31), 1),   # 15:31
    (datetime(2026, 11, 22, 8, 0), 0),    # Sunday
])
def test_the_timed_job_after_the_close_of_a_trading_day(make_app, utc, runs):
    app = make_app(CLOCK_NOW=utc)
    with app.app_context():
        w = World()
        w.holder("甲", "110101199001010011", 500, day=D[13])
        db.session.commit()
        seconds, job = PERIODIC["issuers.major_holders"]
        assert seconds == 600
        job()
        job()
        stored = db.session.execute(db.select(MajorHolderRun)).scalars().all()
        assert len(stored) == runs
        if runs:
            assert stored[0].day == D[24] and stored[0].holders == 1
