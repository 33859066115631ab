#!/usr/bin/env python
"""Holdings at a date (Q-2) and certificates per minute (Q-8).

    .venv/bin/python bench/queries_bench.py [--database-url postgresql://postgres@127.0.0.1:5432/test_q]
        [--accounts 10] [--securities 200] [--changes 25] [--others 100] [--queries 200]
        [--certificates 10] [--no-write]

1. Creates a database ``hall_bench_q`` next to ``--database-url`` (PostgreSQL; dropped at
   the end) or, without a URL, a SQLite file in a temporary directory, and the app's tables.
2. Fills a year of ledger: one investor with ``--accounts`` accounts × ``--securities``
   securities, each position an opening balance and ``--changes`` changes spread over the
   last year; plus ``--others`` other accounts with the same density (so the index has
   to pick the investor's rows out of a larger table).
3. Measures ``holdings.holdings_at`` for the investor's ten accounts on random trading
   days of the last year (``--queries`` times), the Q-3 first page (20 rows of 90 days),
   and, as the baseline in the same run, a primary-key lookup of one ledger row through
   the same session; p50/p99 of each. On PostgreSQL it records the plan of the balance
   query (EXPLAIN ANALYZE, BUFFERS).
4. Certificates per minute by one worker: runs the ``certificates.issue`` job (render,
   sign, record the mail) in this one process for ``--certificates`` requests of one
   account (about 200 rows) and of all ten accounts (about 2,000 rows).
5. Writes the figures to docs/BENCHMARKS.md (section ``bench:queries``).
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import harness  # noqa: E402
from queries_ledger import fill  # noqa: E402

BEGIN, END = "<!-- bench:queries:begin -->", "<!-- bench:queries:end -->"
BENCH_DB = "hall_bench_q"


def admin(url, sql):
    import psycopg2
    from sqlalchemy.engine import make_url
    u = make_url(url)
    conn = psycopg2.connect(host=u.host, port=u.port or 5432, user=u.username,
                            password=u.password, dbname=u.database)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def make_app(args, tmp):
    from sqlalchemy.engine import make_url

    from wechat_hall import create_app
    if args.database_url:
        admin(args.database_url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
        admin(args.database_url, f"CREATE DATABASE {BENCH_DB}")
        url = make_url(args.database_url).set(database=BENCH_DB).render_as_string(
            hide_password=False)
    else:
        url = f"sqlite:///{tmp}/bench.db"
    return create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                       "REDIS_URL": "", "MAIL_BACKEND": "dev", "CERT_DIR": f"{tmp}/certs",
                       "PUBLIC_BASE_URL": "http://hall.bench"}), url



def timed(fn, times):
    out = []
    for _ in range(times):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def measure(args, user_id, days):
    from models import HallUser, HoldingChange
    from wechat_hall.extensions import db
    from wechat_hall.services.queries import holdings
    from wechat_hall.services.queries import scope as query_scope

    rng = random.Random(11)
    user = db.session.get(HallUser, user_id)
    scope = query_scope.scope_for(user)
    ids = scope.account_ids
    max_id = db.session.execute(db.select(db.func.max(HoldingChange.id))).scalar_one()
    result = {}
    rows = holdings.holdings_at(scope, days[-1])
    result["positions"] = len(rows)

    def q2():
        db.session.expire_all()
        holdings.holdings_at(scope, rng.choice(days))

    def q3():
        db.session.expire_all()
        day = rng.choice(days[60:])
        holdings.changes_between(scope, day - timedelta(days=90), day, 0, 20)

    def base():
        db.session.expire_all()
        db.session.get(HoldingChange, rng.randint(1, max_id))

    for name, fn in (("baseline", base), ("q2", q2), ("q3", q3)):
        timed(fn, 5)  # warm-up
        cpu0 = time.process_time()  # this process is the server here: the CPU per query
        values = timed(fn, args.queries)
        cpu_ms = (time.process_time() - cpu0) / args.queries * 1000
        result[name] = dict(p50=statistics.median(values), p99=harness.percentile(sorted(values), 99),
                            max=max(values), cpu_ms=cpu_ms)
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql
        total = db.func.sum(HoldingChange.quantity)
        query = (db.select(*holdings.POSITION, total)
                 .where(HoldingChange.account_id.in_(ids), HoldingChange.trade_date <= days[100])
                 .group_by(*holdings.POSITION).having(total != 0))
        sql = str(query.compile(dialect=postgresql.dialect(),
                                compile_kwargs={"literal_binds": True}))
        plan = db.session.execute(db.text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars().all()
        result["plan"] = plan
    return result


def certificates(args, user_id, days):
    from models import CertificateRequest, HallUser
    from models.certificates import HOLDINGS
    from wechat_hall.extensions import db
    from wechat_hall.services.queries import certificates as service

    user = db.session.get(HallUser, user_id)
    out = {}
    for label, account in (("one account", user.ymt_account.securities_accounts[0]),
                           ("ten accounts", None)):
        ids = []
        for _ in range(args.certificates):
            row = CertificateRequest(user_id=user.id, kind=HOLDINGS, account=account,
                                     date_from=days[-1], date_to=days[-1],
                                     email="bench@example.com", code=service.new_code(),
                                     holder_name="王基准", ymt_number="189000000001")
            db.session.add(row)
            db.session.flush()
            ids.append(row.id)
        db.session.commit()
        service.issue({"request_id": ids[0]})  # warm-up (fonts, the signing key)
        db.session.commit()
        t = time.perf_counter()
        for request_id in ids[1:]:
            service.issue({"request_id": request_id})
            db.session.commit()
        seconds = time.perf_counter() - t
        last = db.session.get(CertificateRequest, ids[-1])
        out[label] = dict(n=len(ids) - 1, seconds=seconds, rows=last.row_count,
                          per_minute=60 * (len(ids) - 1) / seconds)
    return out


def machine(url):
    info = [f"{os.cpu_count()} cores"]
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in
                   Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
        info.append(cpu)
    except (OSError, StopIteration):
        pass
    info.append(f"Python {sys.version.split()[0]}")
    return ", ".join(info)


def render(args, url, total, m, certs, dialect, version):
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()
    lines = [BEGIN, "## Queries and certificates (`bench/queries_bench.py`)", "",
             "Holdings at a date (Q-2) for one investor with "
             f"{args.accounts} accounts × {args.securities} securities and a year of ledger "
             f"(an opening balance and {args.changes} changes per position), among "
             f"{args.others} other accounts of the same density; measured in one process "
             "through the service layer (no HTTP), against a primary-key lookup of one "
             "ledger row through the same session as the baseline.", "",
             f"- Date: {time.strftime('%a %b %d %H:%M:%S UTC %Y', time.gmtime())}",
             f"- Machine: {machine(url)}", f"- Code measured: commit {commit}",
             f"- Database: {dialect} {version}; ledger rows: {total:,}; "
             f"positions held by the investor: {m['positions']:,}",
             f"- {args.queries} queries each, random trading days of the last year",
             "- Load average (1 min) at the end of the run: "
             f"{os.getloadavg()[0]:.1f} on this shared machine", "",
             "| query | p50 ms | p99 ms | max ms | p50 ÷ baseline | CPU ms/query (Python side) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    base = m["baseline"]["p50"]
    for key, label in (("baseline", "baseline: one ledger row by primary key"),
                       ("q2", "Q-2 holdings at a date (10 accounts, all positions)"),
                       ("q3", "Q-3 changes, first page of 90 days")):
        r = m[key]
        lines.append(f"| {label} | {r['p50']:.2f} | {r['p99']:.2f} | {r['max']:.2f} | "
                     f"{r['p50'] / base:.0f}× | {r['cpu_ms']:.2f} |")
    lines += ["", "Certificates by one worker (render with reportlab, sign with pyHanko, "
              "record the mail; the `certificates.issue` job run in one process):", "",
              "| certificate | rows | certificates | seconds | per minute |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for label, r in certs.items():
        lines.append(f"| 证券持有余额, {label} | {r['rows']:,} | {r['n']} | "
                     f"{r['seconds']:.1f} | {r['per_minute']:.1f} |")
    lines += ["", "Q-2's SQL (one grouped sum over the index, plan below) is a small part of its "
              "time: the rest is loading the accounts, securities, units and freezes and "
              "building 2,000 rows in Python, as a real request does (the session is emptied "
              "before each query). Q-3 reads only its page and that page's positions. A "
              "certificate's time is mostly reportlab's layout; the signature is a few ms."]
    if m.get("plan"):
        lines += ["", "Plan of the balance query on PostgreSQL (EXPLAIN ANALYZE, BUFFERS):", "",
                  "```"] + m["plan"] + ["```"]
    lines += [END]
    return "\n".join(lines) + "\n"


def write_doc(section):
    harness.write_section(BEGIN, END, section)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--securities", type=int, default=200)
    parser.add_argument("--changes", type=int, default=25)
    parser.add_argument("--others", type=int, default=100)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--certificates", type=int, default=10)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from wechat_hall.extensions import db
    with tempfile.TemporaryDirectory() as tmp:
        app, url = make_app(args, tmp)
        try:
            with app.app_context():
                db.create_all()
                t = time.perf_counter()
                user_id, total, days = fill(args)
                print(f"filled {total:,} ledger rows in {time.perf_counter() - t:.1f} s")
                m = measure(args, user_id, days)
                for key in ("baseline", "q2", "q3"):
                    print(key, {k: round(v, 2) for k, v in m[key].items()})
                certs = certificates(args, user_id, days)
                print(certs)
                dialect = db.engine.dialect.name
                version = db.session.execute(db.text(
                    "SELECT version()" if dialect == "postgresql" else "SELECT sqlite_version()"
                )).scalar_one().split(" on ")[0]
                db.session.remove()
                db.engine.dispose()
            section = render(args, url, total, m, certs, dialect, version)
            print(section)
            if not args.no_write:
                write_doc(section)
        finally:
            if args.database_url:
                admin(args.database_url, f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
