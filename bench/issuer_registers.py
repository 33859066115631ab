"""Holder registers from the ledger (ISS-1) and the daily 5 % run (ISS-3).

    nice .venv/bin/python bench/issuer_registers.py \
        [--database-url postgresql://postgres@127.0.0.1:5432/test_h5] [--accounts 1000000]
        [--changes 200000] [--credit 20000] [--no-write]

1. Creates a database ``hall_bench_iss`` next to ``--database-url`` (harness: dropped at
   the end) and the app's tables; seeds the demo (``flask demo seed``'s data).
2. The daily 5 % run over the demo ledger: ``major_holders.run_all`` for the last trading
   day, every A/B share of the demo (its stored lists deleted first, so all are computed).
3. Builds a security held by ``--accounts`` accounts, one investor and one 一码通 each, with
   bulk ``INSERT … SELECT generate_series`` (no row passes through Python): an opening
   position per account more than a year old, ``--changes`` later changes, ``--credit``
   credit accounts linked to one collateral account and 1,000 pledges.
4. Measures, in this one process on the bench database: T1 of that security at the last
   trading day, from the ledger to the finished DBF (``registers.write_register``: the
   grouped query streamed from a server-side cursor, rows encoded to GBK and written);
   as the baseline in the same run, the database alone (``SELECT count(*)`` over the
   same grouped positions); T3 top-200 to DBF; the 5 % run of that security.
5. Writes the figures to docs/BENCHMARKS.md (section ``bench:issuers``).
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import harness
import machine

BEGIN, END = "<!-- bench:issuers:begin -->", "<!-- bench:issuers:end -->"
BENCH_DB = "hall_bench_iss"
CODE = "688999"


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def timed_cpu(fn):
    """Wall seconds and this process's CPU seconds (the machine is shared: the load of
    other processes stretches the wall time, not this process's CPU time)."""
    cpu = time.process_time()
    value, seconds = timed(fn)
    return value, seconds, time.process_time() - cpu


def daily_run_over_the_demo(day):
    from models import MajorHolderChange, MajorHolderDay, MajorHolderRun
    from wechat_hall.extensions import db
    from wechat_hall.services.issuers import major_holders
    for model in (MajorHolderChange, MajorHolderDay, MajorHolderRun):
        db.session.execute(db.delete(model))
    db.session.commit()
    runs, seconds = timed(lambda: major_holders.run_all(day))
    db.session.commit()
    return {"securities": len(runs), "holders": sum(r.holders for r in runs),
            "changes": sum(r.changes for r in runs), "seconds": seconds}


def build(args, day):
    """The big security's ledger, in bulk; returns (security id, ledger rows)."""
    from models import Broker, BrokerBranch, CustodianUnit, Security
    from wechat_hall.extensions import db
    broker = Broker(code="BENCHISS", name="基准证券")
    branch = BrokerBranch(broker=broker, code="0001", name="基准证券上海营业部")
    unit = CustodianUnit(market="SH", code="38888", name="基准单元", broker=broker)
    security = Security(market="SH", code=CODE, name="基准科技", kind="stock")
    db.session.add_all([branch, unit, security])
    db.session.commit()
    base = db.session.execute(db.text("SELECT coalesce(max(id), 0) FROM investor")).scalar()
    base = max(base, db.session.execute(db.text(
        "SELECT greatest((SELECT coalesce(max(id), 0) FROM ymt_account), "
        "(SELECT coalesce(max(id), 0) FROM securities_account))")).scalar()) + 1000
    n, opening = args.accounts, day.replace(year=day.year - 2)
    params = {"b": base, "n": n, "branch": branch.id, "unit": unit.id, "s": security.id,
              "opening": opening, "day": day, "changes": args.changes, "credit": args.credit}
    statements = [
        ("INSERT INTO investor (id, holder_type, name, id_type, id_number, created_at) "
        "SELECT :b + g, 'individual', '基准持有人' || g, 'resident_id', "
        "'1101011990' || lpad(g::text, 8, '0'), now() FROM generate_series(1, :n) g"),
        ("INSERT INTO holder_profile (investor_id, category, address, postcode, phone) "
        "SELECT :b + g, '1000', '上海市浦东新区基准路' || g || '号', '200120', '' "
        "FROM generate_series(1, :n) g"),
        ("INSERT INTO ymt_account (id, number, investor_id, status, branch_id, opened_at) "
        "SELECT :b + g, '18' || lpad(g::text, 10, '0'), :b + g, 'normal', :branch, now() "
        "FROM generate_series(1, :n) g"),
        ("INSERT INTO securities_account (id, number, market, kind, ymt_account_id, status, "
        "branch_id, opened_at) SELECT :b + g, 'A' || lpad(g::text, 9, '0'), 'SH', "
        "CASE WHEN g <= :credit THEN 'credit' ELSE 'a_share' END, :b + g, 'normal', :branch, "
        "now() FROM generate_series(1, :n) g"),
        # one collateral account (the last account) holding the first --credit accounts
        "INSERT INTO collateral_account (account_id, kind) VALUES (:b + :n, 'margin')",
        ("INSERT INTO collateral_link (account_id, collateral_account_id) "
        "SELECT :b + g, :b + :n FROM generate_series(1, :credit) g"),
        ("INSERT INTO holding_change (account_id, security_id, unit_id, trade_date, seq, kind, "
        "quantity, zqlb, ltlx, qylb, gpnf, qycs, gfxz, source, ref, created_at) "
        "SELECT :b + g, :s, :unit, :opening, 0, 'opening', 100 * (1 + g % 97), "
        "CASE WHEN g % 10 = 0 THEN 'XL' ELSE 'PT' END, CASE WHEN g % 10 = 0 THEN 'C' ELSE '0' "
        "END, '', 0, 0, '无限售流通股', 'bench', 'o' || g, now() FROM generate_series(1, :n) g"),
        ("INSERT INTO holding_change (account_id, security_id, unit_id, trade_date, seq, kind, "
        "quantity, zqlb, ltlx, qylb, gpnf, qycs, gfxz, source, ref, created_at) "
        "SELECT :b + 1 + (g * 7919) % :n, :s, :unit, :opening + (g % 600), 1, 'buy', "
        "100 * (1 + g % 13), 'PT', '0', '', 0, 0, '无限售流通股', 'bench', 'c' || g, now() "
        "FROM generate_series(1, :changes) g"),
        ("INSERT INTO security_freeze (account_id, security_id, unit_id, kind, quantity, "
        "start_date, authority, document, source, ref) SELECT :b + 1 + (g * 97) % :n, :s, :unit, "
        "'pledge', 100, :opening, '基准质权人', '', 'bench', 'f' || g "
        "FROM generate_series(1, 1000) g"),
        # the first holder large enough for the 5 % list
        ("INSERT INTO holding_change (account_id, security_id, unit_id, trade_date, seq, kind, "
        "quantity, zqlb, ltlx, qylb, gpnf, qycs, gfxz, source, ref, created_at) "
        "VALUES (:b + :n - 1, :s, :unit, :opening, 2, 'buy', 400000000, 'PT', '0', '', 0, 0, "
        "'无限售流通股', 'bench', 'big', now())"),
    ]
    for sql in statements:
        db.session.execute(db.text(sql), params)
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()
    rows = db.session.execute(db.text("SELECT count(*) FROM holding_change WHERE "
                                      "security_id = :s"), params).scalar()
    return security.id, rows


def baseline(security_id, day):
    """The database alone: count the grouped positions the T1 query streams."""
    from wechat_hall.extensions import db
    sql = ("SELECT count(*) FROM (SELECT coalesce(l.collateral_account_id, h.account_id), "
           "h.unit_id, h.zqlb, h.ltlx, h.qylb, h.gpnf, h.qycs, sum(h.quantity) FROM "
           "holding_change h LEFT JOIN collateral_link l ON l.account_id = h.account_id "
           "WHERE h.security_id = :s AND h.trade_date <= :d GROUP BY 1, 2, 3, 4, 5, 6, 7 "
           "HAVING sum(h.quantity) <> 0) p")
    return timed(lambda: db.session.execute(db.text(sql), {"s": security_id, "d": day})
                 .scalar())


def measure(security_id, day, out):
    from models import Security
    from wechat_hall.extensions import db
    from wechat_hall.services.issuers import major_holders, registers
    result = {}
    result["baseline_rows"], result["baseline"] = baseline(security_id, day)
    t1 = registers.check_request("T1", CODE, day.isoformat())
    result["load_before"] = os.getloadavg()[0]
    written, result["t1"], result["t1_cpu"] = timed_cpu(lambda: registers.write_register(t1, out))
    result["t1_rows"], result["t1_bytes"] = written.rows, written.path.stat().st_size
    t3 = registers.check_request("T3", CODE, day.isoformat(), top=200)
    written, result["t3"], result["t3_cpu"] = timed_cpu(
        lambda: registers.write_register(t3, out))
    result["t3_rows"] = written.rows
    security = db.session.get(Security, security_id)
    run, result["five"] = timed(lambda: major_holders.run_day(security, day))
    result["five_holders"] = run.holders
    result["load_after"] = os.getloadavg()[0]
    db.session.commit()
    return result


def render(args, info, revision, demo, ledger_rows, m):
    day = info["date"]
    return f"""{BEGIN}
## Issuer registers and the 5 % run (`bench/issuer_registers.py`)

Run {day} on {machine.machine_line(info)}; PostgreSQL {info['postgresql']}; {revision};
`nice`, one process, the bench database only; load average {m['load_before']:.1f} before and
{m['load_after']:.1f} after the measurements (other work on the shared machine: wall times
stretch with it, this process's CPU time does not). Targets (issue 14): T1 of a
1,000,000-account security from the ledger to the finished DBF ≤ 30 s; T3 top-200 over the
same ≤ 10 s.

| what | figure |
|---|---|
| ledger of the security | {args.accounts:,} accounts (one investor and 一码通 each), {ledger_rows:,} ledger rows, {args.credit:,} credit accounts under one collateral account, 1,000 pledges |
| baseline: the database alone counts the grouped T1 positions | {m['baseline']:.2f} s ({m['baseline_rows']:,} positions) |
| **T1 to the finished DBF** (query streamed from a server-side cursor, GBK rows written) | **{m['t1']:.2f} s** wall, {m['t1_cpu']:.2f} s CPU of this process ({m['t1_rows']:,} records, {m['t1_bytes'] / 1e6:.0f} MB; {m['t1'] / m['baseline']:.1f}× the baseline) |
| **T3 top-200 to DBF** (merged by investor, credit accounts to their owners) | **{m['t3']:.2f} s** wall, {m['t3_cpu']:.2f} s CPU ({m['t3_rows']} records) |
| 5 % run of that security (two days of T3 merging with the 5 % floor) | {m['five']:.2f} s ({m['five_holders']} holder) |
| daily 5 % run over the demo ledger (every A/B share) | {demo['seconds']:.2f} s for {demo['securities']} securities ({demo['holders']} holders, {demo['changes']} changes) |

T1's wall time less this process's CPU time is time spent waiting on PostgreSQL (the
joined, sorted stream of positions); T3 and the 5 % run are database time almost entirely.
Both read the ledger the investor queries read, so a register equals the balances by
construction.
{END}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test_h5")
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=200_000)
    parser.add_argument("--credit", type=int, default=20_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    info = machine.machine_info(args.database_url, "redis://127.0.0.1:6379/5")
    revision = machine.app_revision(ROOT)
    url, where, cleanup = harness.prepare_database(args.database_url, BENCH_DB)
    print(f"bench database: {where}")
    try:
        app = harness.make_app(url, "", TESTING=True)
        from wechat_hall import clock, demo
        from wechat_hall.extensions import db
        from wechat_hall.services.queries import trading_days
        with app.app_context(), tempfile.TemporaryDirectory() as out:
            db.create_all()
            demo.seed()
            day = trading_days.previous_trading_day(clock.today(), inclusive=False)
            demo_run = daily_run_over_the_demo(day)
            print("5 % over the demo:", demo_run)
            (security_id, ledger_rows), seconds = timed(lambda: build(args, day))
            print(f"built {ledger_rows:,} ledger rows in {seconds:.1f} s")
            m = measure(security_id, day, out)
            print({k: round(v, 3) if isinstance(v, float) else v for k, v in m.items()})
            db.session.remove()
            db.engine.dispose()
        section = render(args, info, revision, demo_run, ledger_rows, m)
        print(section)
        if not args.no_write:
            harness.write_section(BEGIN, END, section)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
