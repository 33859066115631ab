#!/usr/bin/env python
"""Voting benchmarks (issue 7): register import, ballots over HTTP, tally with tiers.

    .venv/bin/python bench/vote_bench.py [--database-url postgresql://postgres@127.0.0.1:5432/test_vote]
        [--redis-url redis://127.0.0.1:6379/11] [--holders 1000000] [--tally-ballots 100000]
        [--voters 6000] [--concurrency 32] [--workers 2] [--threads 8] [--no-write]

1. Creates a database ``hall_bench_vote`` next to ``--database-url`` (dropped at the end)
   and the app's tables with ``db.create_all()``.
2. **Import**: writes a T1 CSV of ``--holders`` rows (distinct accounts, plus 1 % of the
   accounts twice, so the aggregation has work) and times
   ``services.voting.register.import_register`` — read + check + aggregate + COPY + commit.
3. **Tally**: inserts ``--tally-ballots`` ballots (5 lines each: two 表决型 items, two
   candidates, the unallocated rights) for holders of that register with COPY, then times
   ``services.voting.tally.tally`` (totals per item and tier, holders per tier).
4. **HTTP**: a second, open meeting with ``--voters`` activated hall users, each with one
   account on the register; starts gunicorn (``wsgi:app``) and POSTs one confirmed ballot
   per voter (signed session cookie and CSRF token made beforehand, ``--concurrency``
   keep-alive connections from a separate process). Every answer must be the 302 to the
   receipt; afterwards the ballots are counted and the receipt chain is verified.
5. Writes the figures to docs/BENCHMARKS.md (its own section) unless ``--no-write``.
"""
import argparse
import asyncio
import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import harness  # noqa: E402

BENCH_DB = "hall_bench_vote"
BEGIN, END = "<!-- bench:vote:begin -->", "<!-- bench:vote:end -->"


def make_app(database_url, redis_url):
    from wechat_hall import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url,
                       "SECRET_KEY": "bench-" + "0" * 58, "WTF_CSRF_TIME_LIMIT": None})


def new_meeting(db, title, opens, closes):
    from models import VoteItem, VoteMeeting, VoteProposal
    from models.voting import ELECTION, ORDINARY
    from wechat_hall import clock
    now = clock.utcnow()
    meeting = VoteMeeting(security_code="600888", security_name="浦江科技", title=title,
                          record_date=date(2026, 11, 16), opens_at=now + timedelta(hours=opens),
                          closes_at=now + timedelta(hours=closes), total_shares=5_000_000_000,
                          close_price=Decimal("12.50"), has_overall=True)
    p1 = VoteProposal(meeting=meeting, number=1, title="议案", kind=ORDINARY)
    p2 = VoteProposal(meeting=meeting, number=2, title="选举董事", kind=ELECTION, seats=2)
    items = [VoteItem(proposal=p1, number=1, title="议案1"), VoteItem(proposal=p1, number=2, title="议案2"),
             VoteItem(proposal=p2, number=1, title="甲"), VoteItem(proposal=p2, number=2, title="乙")]
    db.session.add_all([meeting, p1, p2, *items])
    db.session.commit()
    return meeting, p1, p2, items


def quantity(rng):
    # Mostly small holders, some large: every tier is populated.
    r = rng.random()
    if r < 0.90:
        return rng.randint(100, 30_000)
    if r < 0.99:
        return rng.randint(30_000, 2_000_000)
    if r < 0.9995:
        return rng.randint(2_000_000, 60_000_000)
    return rng.randint(60_000_000, 300_000_000)


def bench_import(app, holders, tmpdir):
    from wechat_hall.extensions import db
    from wechat_hall.services.voting import register
    rng = random.Random(7)
    path = Path(tmpdir) / "t1_600888.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ZQDM", "ZQZH", "HSTMC", "HSTZJLB", "HSTZJHM", "HSTCYRLB", "CYSL", "ZQLB",
                    "LTLX"])
        for n in range(holders):
            w.writerow(["600888", f"A{n:09d}", f"持有人{n}", "01", f"ID{n:016d}", "1000",
                        quantity(rng), "PT", "0"])
        for n in range(0, holders, 100):  # the same account again (限售 part)
            w.writerow(["600888", f"A{n:09d}", f"持有人{n}", "01", f"ID{n:016d}", "1000",
                        100, "XL", "F"])
    rows = holders + len(range(0, holders, 100))
    with app.app_context():
        meeting, *_ = new_meeting(db, "名册导入基准", -48, -24)
        marks = {}

        def progress(done, total):
            if done == total:
                marks["read"] = time.perf_counter()

        start = time.perf_counter()
        records, accounts = register.import_register(meeting, path, progress=progress)
        took = time.perf_counter() - start
        assert records == rows and accounts == holders, (records, accounts)
        return {"rows": rows, "accounts": accounts, "seconds": took,
                "read_seconds": marks.get("read", start) - start, "meeting_id": meeting.id,
                "file_mb": path.stat().st_size / 1e6}


def bench_tally(app, meeting_id, ballots):
    """COPY ``ballots`` ballots for the first holders of the imported register, then tally."""
    from models import VoteHolding, VoteMeeting
    from wechat_hall.extensions import db
    from wechat_hall.services.voting import tally as vote_tally
    rng = random.Random(11)
    with app.app_context():
        meeting = db.session.get(VoteMeeting, meeting_id)
        holders = db.session.execute(
            db.select(VoteHolding.account, VoteHolding.quantity)
            .filter_by(meeting_id=meeting_id).order_by(VoteHolding.id).limit(ballots)).all()
        p1, p2 = meeting.proposals
        i1, i2 = p1.items
        c1, c2 = p2.items
        b_buf, l_buf = io.StringIO(), io.StringIO()
        line_id = 0
        for seq, (account, qty) in enumerate(holders, start=1):
            b_buf.write(f"{seq}\t{meeting_id}\t{account}\t{qty}\tf\tweb\t{seq}\t{'0' * 64}\t"
                        f"{seq:064x}\t2026-11-20 10:00:00\n")
            choice = rng.choice(["for", "for", "for", "against", "abstain"])
            rights = qty * 2
            a = rng.randint(0, rights)
            b = rng.randint(0, rights - a)
            for item, pid, ch, votes, implicit in [
                    (i1.id, p1.id, choice, qty, False), (i2.id, p1.id, "abstain", qty, True),
                    (c1.id, p2.id, "votes", a, False), (c2.id, p2.id, "votes", b, False),
                    ("\\N", p2.id, "abstain", rights - a - b, True)]:
                line_id += 1
                l_buf.write(f"{line_id}\t{seq}\t{account}\t\t{qty}\t{pid}\t{item}\t{ch}\t{votes}\t"
                            f"{'t' if implicit else 'f'}\tf\n")
        raw = db.session.connection().connection
        with raw.cursor() as cur:
            b_buf.seek(0)
            cur.copy_expert("COPY vote_ballot (id, meeting_id, account, shares, split, channel, "
                            "seq, prev_hash, receipt, cast_at) FROM STDIN", b_buf)
            l_buf.seek(0)
            cur.copy_expert("COPY vote_ballot_line (id, ballot_id, holder_account, holder_name, "
                            "holder_shares, proposal_id, item_id, choice, votes, implicit, "
                            "overall) FROM STDIN", l_buf)
            cur.execute("SELECT setval('vote_ballot_id_seq', %s)", (len(holders),))
            cur.execute("SELECT setval('vote_ballot_line_id_seq', %s)", (line_id,))
        db.session.commit()
        db.session.execute(db.text("ANALYZE vote_ballot; ANALYZE vote_ballot_line"))
        db.session.commit()
        meeting = db.session.get(VoteMeeting, meeting_id)
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            result = vote_tally.tally(meeting)
            timings.append(time.perf_counter() - start)
        assert result.ballots == len(holders)
        start = time.perf_counter()
        xlsx = vote_tally.export_xlsx(result)
        export = time.perf_counter() - start
        return {"ballots": len(holders), "lines": line_id, "seconds": min(timings),
                "all": timings, "export_seconds": export, "export_mb": len(xlsx) / 1e6,
                "tiers": {k: result.holder_counts[k] for k in vote_tally.TIER_KEYS}}


def prepare_voters(app, voters):
    """An open meeting and ``voters`` activated users with one account each; returns the
    requests (path, cookie, body)."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    from models import Broker, BrokerBranch
    from wechat_hall.extensions import db
    with app.app_context():
        meeting, p1, p2, items = new_meeting(db, "投票吞吐基准", -1, 24)
        broker = Broker(code="BENCH", name="基准证券")
        branch = BrokerBranch(broker=broker, code="0001", name="基准营业部")
        db.session.add_all([broker, branch])
        db.session.commit()
        raw = db.session.connection().connection
        buf = {name: io.StringIO() for name in ("investor", "ymt", "acct", "user", "hold")}
        for n in range(1, voters + 1):
            buf["investor"].write(f"{n}\tindividual\t投票人{n}\tresident_id\tB{n:017d}\t2026-11-20\n")
            buf["ymt"].write(f"{n}\t9{n:011d}\t{n}\tnormal\t{branch.id}\t2026-11-20\n")
            buf["acct"].write(f"{n}\tB{n:09d}\tSH\ta_share\t{n}\tnormal\t{branch.id}\t2026-11-20\n")
            buf["user"].write(f"{n}\t1{n:010d}\tx\t{n}\t2026-11-20\t0\t0\t2026-11-20\n")
            buf["hold"].write(f"{meeting.id}\t\tB{n:09d}\t投票人{n}\t\t1000\t{1000 + n}\tf\n")
        with raw.cursor() as cur:
            for table, cols, key in [
                    ("investor", "id, holder_type, name, id_type, id_number, created_at", "investor"),
                    ("ymt_account", "id, number, investor_id, status, branch_id, opened_at", "ymt"),
                    ("securities_account", "id, number, market, kind, ymt_account_id, status, "
                     "branch_id, opened_at", "acct"),
                    ("hall_user", "id, phone, password_hash, ymt_account_id, activated_at, "
                     "session_epoch, failed_logins, created_at", "user"),
                    ("vote_holding", "meeting_id, parent_account, account, name, id_number, "
                     "holder_category, quantity, split", "hold")]:
                buf[key].seek(0)
                cur.copy_expert(f"COPY {table} ({cols}) FROM STDIN", buf[key])
            for seq in ("investor_id_seq", "ymt_account_id_seq", "securities_account_id_seq",
                        "hall_user_id_seq"):
                cur.execute(f"SELECT setval('{seq}', %s)", (voters,))
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        i1, i2, c1, c2 = [i.id for i in items]
        requests = []
        for n in range(1, voters + 1):
            with app.test_request_context():
                g.pop("csrf_token", None)  # generate_csrf caches per app context
                session["hall_user_id"] = n
                session["hall_user_epoch"] = 0
                token = generate_csrf()
                cookie = serializer.dumps(dict(session))
            shares = 1000 + n
            body = urlencode({"csrf_token": token, "step": "confirm", "overall": "for",
                              f"item-{i2}": "against", "order": f"item-{i2},overall",
                              f"cand-{c1}": str(shares), f"cand-{c2}": str(shares)})
            requests.append((f"/h5/votes/{meeting.id}/B{n:09d}/ballot", cookie, body))
        return meeting.id, requests


async def _load(port, requests, concurrency):
    queue = list(reversed(requests))
    results = []

    async def conn():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            path, cookie, body = queue.pop()
            data = body.encode()
            writer.write((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          f"Cookie: session={cookie}\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          f"Content-Length: {len(data)}\r\n\r\n").encode() + data)
            start = time.perf_counter()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            payload = await reader.readexactly(length)
            location = re.search(rb"(?i)location: *(\S+)", head)
            results.append((status, time.perf_counter() - start,
                            location.group(1).decode() if location else f"{status} " + payload[-600:].decode(errors="replace")))
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*[conn() for _ in range(concurrency)])
    return results, time.perf_counter() - start


def load_worker(spec_path):
    spec = json.loads(Path(spec_path).read_text())
    results, took = asyncio.run(_load(spec["port"], [tuple(r) for r in spec["requests"]],
                                      spec["concurrency"]))
    Path(spec["out"]).write_text(json.dumps({"results": results, "seconds": took}))


def bench_http(args, database_url, tmpdir):
    app = make_app(database_url, args.redis_url)
    meeting_id, requests = prepare_voters(app, args.voters)
    warm, measured = requests[:200], requests[200:]
    port = harness.free_port()
    env = harness.server_env(database_url, args.redis_url, port)
    env["SECRET_KEY"] = "bench-" + "0" * 58
    gunicorn = Path(sys.executable).parent / "gunicorn"
    settings = ["--workers", str(args.workers), "--worker-class", "gthread", "--threads",
                str(args.threads), "--log-level", "warning"]
    server = harness.Server("vote-app", [str(gunicorn), *settings, "--bind", f"127.0.0.1:{port}",
                                    "wsgi:app"], env, port, "/healthz", tmpdir)
    try:
        server.wait_ready()
        out = {}

        def cpu_seconds():
            total = 0
            for pid in [server.proc.pid, *harness.children(server.proc.pid)]:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += int(fields[11]) + int(fields[12])  # utime + stime, clock ticks
            return total / os.sysconf("SC_CLK_TCK")

        for name, batch in [("warm", warm), ("measured", measured)]:
            cpu_before = cpu_seconds()
            spec = Path(tmpdir) / f"{name}.json"
            result = Path(tmpdir) / f"{name}.out.json"
            spec.write_text(json.dumps({"port": port, "requests": batch,
                                        "concurrency": args.concurrency, "out": str(result)}))
            subprocess.run([sys.executable, __file__, "--load-worker", str(spec)], check=True,
                           timeout=900)
            out[name] = json.loads(result.read_text())
            out[name]["cpu"] = cpu_seconds() - cpu_before
    finally:
        server.stop()
    results, seconds = out["measured"]["results"], out["measured"]["seconds"]
    ok = [r for r in results if r[0] == 302 and r[2].endswith("/receipt")]
    errors = [r for r in results if not (r[0] == 302 and r[2].endswith("/receipt"))]
    latencies = sorted(r[1] for r in results)

    from models import VoteBallot, VoteMeeting
    from wechat_hall.extensions import db
    from wechat_hall.services.voting import receipts
    with app.app_context():
        count = db.session.execute(db.select(db.func.count(VoteBallot.id)).filter_by(
            meeting_id=meeting_id)).scalar_one()
        chain = receipts.verify(meeting_id)
        assert db.session.get(VoteMeeting, meeting_id)
    return {"requests": len(results), "ok": len(ok), "errors": len(errors),
            "error_sample": errors[:3], "seconds": seconds, "per_second": len(ok) / seconds,
            "p50": latencies[len(latencies) // 2] * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "cpu_ms": out["measured"]["cpu"] * 1000 / max(len(results), 1),
            "ballots_in_db": count, "chain_ok": chain.ok, "chain_ballots": chain.ballots,
            "settings": " ".join(settings)}


def write_doc(text):
    harness.write_section(BEGIN, END, f"{BEGIN}\n{text.strip()}\n{END}")


def report(args, machine, db_desc, imp, tally, http):
    load = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    met = lambda ok: "met" if ok else "**not met**"  # noqa: E731
    return f"""
## Voting (`bench/vote_bench.py`)

Issue 7's three targets, measured on PostgreSQL ({db_desc}).

- Date: {time.strftime('%a %b %d %H:%M:%S UTC %Y', time.gmtime())}
- Machine: {machine}
- Code measured: {harness.app_revision(ROOT)}

| what | figure | target | result |
| --- | ---: | ---: | --- |
| import a T1 register of {imp['rows']:,} rows ({imp['accounts']:,} accounts, CSV {imp['file_mb']:.0f} MB): read + check + aggregate + COPY + commit | {imp['seconds']:.1f} s (reading and checking the file: {imp['read_seconds']:.1f} s) | ≤ 30 s | {met(imp['seconds'] <= 30)} |
| ballots over HTTP: {http['ok']:,} confirmed ballots, one per voter, {args.concurrency} keep-alive connections, gunicorn `{http['settings']}` | {http['per_second']:.0f} ballots/s (p50 {http['p50']:.0f} ms, p99 {http['p99']:.0f} ms, errors {http['errors']}; gunicorn CPU {http['cpu_ms']:.1f} ms per ballot) | ≥ 300/s | {met(http['per_second'] >= 300 and not http['errors'])} |
| tally of {tally['ballots']:,} ballots ({tally['lines']:,} lines) with tiers: totals per item and tier, holders per tier | {tally['seconds']:.2f} s (best of 3: {', '.join(f'{t:.2f}' for t in tally['all'])}) | ≤ 5 s | {met(tally['seconds'] <= 5)} |

After the HTTP run: {http['ballots_in_db']:,} ballots in the database for the meeting (each
request a distinct account: every one must be cast), receipt chain verified:
{'intact' if http['chain_ok'] else 'BROKEN'} ({http['chain_ballots']:,} ballots). Every ballot is
cast through the real page (session cookie + CSRF token, `activated_required`, ownership
and register checks, parsing, 总议案 precedence, cumulative-rights check, one statement that
moves the locked chain head and inserts the ballot and its lines, commit, 302 to the receipt). The Excel export of the
{tally['ballots']:,}-ballot tally (with the audit sheet of every ballot) took
{tally['export_seconds']:.1f} s ({tally['export_mb']:.1f} MB). Tier populations in the tally
run: {tally['tiers']}.

The load generator runs on the same 2 cores as gunicorn and PostgreSQL, and anything
else running on the machine shares them too (1-minute / 5 / 15 load average at the end:
{load}), so the figures are a floor. The gunicorn CPU time per ballot (user + system, all
its processes, over the measured window) does not depend on that sharing: at
{http['cpu_ms']:.1f} ms, two dedicated cores would serve at most about
{2000 / max(http['cpu_ms'], 0.1):.0f} ballots/s before PostgreSQL's own share.
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test_vote")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--holders", type=int, default=1_000_000)
    parser.add_argument("--tally-ballots", type=int, default=100_000)
    parser.add_argument("--voters", type=int, default=6_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--load-worker")
    args = parser.parse_args()
    if args.load_worker:
        load_worker(args.load_worker)
        return
    url, db_desc, cleanup = harness.prepare_database(args.database_url, BENCH_DB)
    try:
        harness.create_schema(ROOT, url, args.redis_url)
        with tempfile.TemporaryDirectory() as tmpdir:
            app = make_app(url, args.redis_url)
            imp = bench_import(app, args.holders, tmpdir)
            print("import", {k: v for k, v in imp.items()}, flush=True)
            tally = bench_tally(app, imp["meeting_id"], args.tally_ballots)
            print("tally", tally, flush=True)
            with app.app_context():
                from wechat_hall.extensions import db
                db.engine.dispose()
            http = bench_http(args, url, tmpdir)
            print("http", http, flush=True)
        m = harness.machine_info(url, args.redis_url)
        machine = (f"{m['nproc']} cores ({m['cpu']}), {m['memory']} memory, Linux {m['kernel']}; "
                   f"Python {m['python']}, Flask {m['flask']}, gunicorn {m['gunicorn']}; "
                   f"PostgreSQL {m['postgresql']}")
        text = report(args, machine, db_desc, imp, tally, http)
        print(text)
        if not args.no_write:
            write_doc(text)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
