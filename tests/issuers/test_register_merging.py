"""T1, T2 and T3 merging rules on crafted ledgers (ISS-1): T1 unmerged with credit
accounts shown under their collateral account, T2 merged by 一码通 then by 证件类别 +
证件号码 + 名称, T3 with credit holdings given to their owners; totals equal the ledger's
at the record date, whatever the scope."""
from datetime import date

import pytest

from tests.issuers.ledger_world import DAY, FRIDAY, World
from wechat_hall.extensions import db
from wechat_hall.services.issuers import ledger, registers
from wechat_hall.services.issuers.register_fields import FIELDS


def _rows(kind, code="600123", day=DAY, top=None, xx=None):
    """The register's rows as dicts keyed by its DBF field names."""
    req = registers.check_request(kind, code, day.isoformat(), top, xx)
    names = [f.name for f in FIELDS[req.kind]]
    return [dict(zip(names, row, strict=True)) for row in registers.rows_of(req)]


@pytest.fixture
def world(app):
    """张三 has two accounts on one 一码通 and a second 一码通 with a third account and a
    credit account; 张三 of another ID number, and the same number under another 证件类别,
    are other holders; 李四 holds restricted and non-tradable shares; a credit account
    of 王五 is held under the broker's collateral account; a sale after the record date."""
    with app.app_context():
        w = World()
        zhang = w.person("张三", "110101199001010011", category="1000", address="上海市一路1号")
        y1, y2 = w.ymt(zhang), w.ymt(zhang)
        a1, a2, a3 = w.account(y1), w.account(y1), w.account(y2)
        w.hold(a1, 1000)
        w.hold(a2, 2000, unit=1)
        w.hold(a3, 500)
        w.hold(a3, -500, day=date(2026, 11, 24))  # after the record date: not counted
        w.holder("张三", "110101199001010022", 700)
        w.holder("张三", "110101199001010011", 900, id_type="passport")
        li = w.holder("李四", "310101198001010033", 5000, zqlb="XL", ltlx="C")
        w.hold(li, 3000, ltlx="D")
        w.hold(li, 400)
        collateral = w.collateral()
        db.session.flush()
        wang = w.person("王五", "440101197001010044")
        wang_a = w.account(w.ymt(wang))
        w.hold(wang_a, 100)
        db.session.flush()
        w.hold(w.credit_account(wang, collateral), 8000)
        w.hold(w.credit_account(zhang, collateral), 600)
        w.freeze(a1, 300)
        w.freeze(a3, 200, kind="judicial")
        db.session.commit()
        yield w


def test_t1_is_every_position_unmerged_with_credit_under_the_collateral(app, world):
    with app.app_context():
        rows = _rows("T1")
        total = ledger.total_shares(world.security.id, DAY)
    assert total == 1000 + 2000 + 500 + 700 + 900 + 5000 + 3000 + 400 + 100 + 8000 + 600
    assert sum(r["CYSL"] for r in rows) == total
    accounts = [r["ZQZH"] for r in rows]
    assert accounts == sorted(accounts)
    assert not any(a.startswith("E") for a in accounts)  # credit accounts are not holders
    collateral = [r for r in rows if r["HSTMC"] == "测试证券客户信用交易担保证券账户"]
    assert [r["CYSL"] for r in collateral] == [8600]
    li = [r for r in rows if r["HSTMC"] == "李四"]
    assert sorted((r["ZQLB"], r["LTLX"], r["CYSL"]) for r in li) == [
        ("PT", "0", 400), ("PT", "D", 3000), ("XL", "C", 5000)]
    zhang = [r for r in rows if r["HSTMC"] == "张三" and r["HSTZJHM"] == "110101199001010011"
             and r["HSTZJLB"] == "居民身份证"]
    assert [r["CYSL"] for r in zhang] == [1000, 2000, 500]
    assert [r["TGDY"] for r in zhang] == ["31000", "31001", "31000"]
    assert (zhang[0]["HSTTXDZ"], zhang[0]["HSTYZBM"], zhang[0]["HSTCYRLB"]) == (
        "上海市一路1号", "200000", "1000")
    assert next(r for r in rows if r["HSTMC"] == "王五")["HSTCYRLB"] == "1000"  # no profile


def _key(r):
    return (r["HSTMC"], r["HSTZJLB"], r["HSTZJHM"])


def test_t2_merges_by_ymt_then_by_id_type_number_and_name(app, world):
    with app.app_context():
        rows = _rows("T2")
    by = {_key(r): r for r in rows}
    zhang = by[("张三", "居民身份证", "110101199001010011")]
    assert (zhang["CYSL"], zhang["ZHSL"]) == (3500, 3)  # two 一码通, three accounts
    assert zhang["YMTH"] == "189900000001" and zhang["ZQZH"] == "A000000001"
    assert by[("张三", "居民身份证", "110101199001010022")]["CYSL"] == 700
    assert by[("张三", "护照", "110101199001010011")]["CYSL"] == 900
    assert by[("测试证券客户信用交易担保证券账户", "营业执照（统一社会信用代码）", "91310000TESTCOLL0")][
        "CYSL"] == 8600
    assert by[("王五", "居民身份证", "440101197001010044")]["CYSL"] == 100
    assert len(rows) == 6
    assert sum(r["CYSL"] for r in rows) == 22200
    assert [r["XH"] for r in rows] == list(range(1, 7))
    assert [r["CYSL"] for r in rows] == sorted((r["CYSL"] for r in rows), reverse=True)
    assert (zhang["DJSL"], zhang["ZYSL"]) == (200, 300)  # 冻结 (judicial), 质押


def test_t3_gives_credit_holdings_to_their_owners(app, world):
    with app.app_context():
        rows = _rows("T3")
    by = {_key(r): r for r in rows}
    wang = by[("王五", "居民身份证", "440101197001010044")]
    assert (wang["CYSL"], wang["PTSL"], wang["XYSL"]) == (8100, 100, 8000)
    zhang = by[("张三", "居民身份证", "110101199001010011")]
    assert (zhang["CYSL"], zhang["XYSL"], zhang["ZHSL"]) == (4100, 600, 4)
    assert not any(name == "测试证券客户信用交易担保证券账户" for name, _, _ in by)
    assert sum(r["CYSL"] for r in rows) == 22200
    assert [r["HSTMC"] for r in rows[:2]] == ["李四", "王五"]


def test_top_n_and_ratio(app, world):
    with app.app_context():
        rows = _rows("T3", top="2")
    assert [(r["XH"], r["HSTMC"], r["CYSL"]) for r in rows] == [(1, "李四", 8400),
                                                                (2, "王五", 8100)]
    assert str(rows[0]["CYBL"]) == "37.8378"  # 8400 / 22200


@pytest.mark.parametrize("xx", ["01", "02", "05"])
def test_share_class_scopes_partition_the_whole(app, world, xx):
    with app.app_context():
        scopes = {s: _rows("T1", xx=s) for s in ("01", "02", "05")}
        totals = {s: ledger.total_shares(world.security.id, DAY, s) for s in scopes}
        merged = _rows("T2", xx=xx)
    assert sum(totals.values()) == 22200
    assert totals == {"01": 22200 - 8000, "02": 3000, "05": 5000}
    assert sum(r["CYSL"] for r in scopes[xx]) == totals[xx]
    assert sum(r["CYSL"] for r in merged) == totals[xx]


def test_the_record_date_bounds_the_ledger(app, world):
    with app.app_context():
        before = _rows("T1", day=FRIDAY)
        after = _rows("T1", day=date(2026, 11, 24))
    assert sum(r["CYSL"] for r in before) == 22200
    assert sum(r["CYSL"] for r in after) == 22200 - 500
