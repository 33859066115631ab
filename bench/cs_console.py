#!/usr/bin/env python
"""Customer service (CS-3): the console with 500 open conversations, and the time from an
investor's message to its appearance in the console.

    .venv/bin/python bench/cs_console.py [--database-url postgresql://postgres@127.0.0.1:5432/test]
        [--redis-url redis://127.0.0.1:6379/14] [--requests 200] [--trials 50]
        [--workers 2] [--threads 8] [--no-write]

What it does, all on 127.0.0.1:

1. Creates a database ``hall_bench_cs`` (or a schema) beside ``--database-url``, creates
   the tables and seeds them: the demo customer-service data, one agent serving every
   queue with capacity 20, **500 open conversations** (20 assigned to the agent, 480
   waiting in the agent's queues) with 10 messages each, and 5 000 resolved ones of
   earlier days (50 000 more messages) so the indexes matter.
2. Starts the real app and the bare Flask baseline (``bench/bare_app.py``) under gunicorn
   with the same settings (as ``bench/wechat_throughput.py`` does).
3. Signs the agent in (CSRF form, like a browser) and measures, sequentially on one
   keep-alive connection: ``GET /staff/cs/?c=<one of his conversations>`` (the console
   page), ``GET /staff/cs/poll?c=…&after=…`` (what the page asks every 2 s), and
   ``GET /bare`` (baseline).
4. Inbound → console: ``--trials`` times, a signed, encrypted text push from an
   investor whose conversation the agent holds goes to ``/wechat``; right after its
   answer a client polls ``/staff/cs/poll`` every 20 ms until the message is there. The
   time from sending the push to the first poll that shows it is the server's part; the
   page itself polls every 2 s, which adds 0–2 s (1 s on average) for a person.
5. Writes the figures to docs/BENCHMARKS.md (section between the cs_console markers),
   stops the servers and drops the database.
"""
import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import harness  # noqa: E402
import machine  # noqa: E402

BENCH_DB = "hall_bench_cs"
OPEN, ASSIGNED, HISTORY, PER_CONVERSATION = 500, 20, 5000, 10
AGENT, PASSWORD = "benchagent", "Bench@2026x"
BEGIN = "<!-- bench:cs_console:begin -->"
END = "<!-- bench:cs_console:end -->"


def seed(database_url, redis_url):
    """Runs in a child process (``--seed``): the data described in the module doc."""
    from datetime import timedelta

    from models import CsAgent, CsConversation, CsMessage, CsQueue, StaffUser
    from wechat_hall import clock, create_app
    from wechat_hall.demo import support
    from wechat_hall.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url})
    with app.app_context():
        support.seed()
        staff = StaffUser(username=AGENT, display_name="压测坐席", roles="agent")
        staff.set_password(PASSWORD)
        db.session.add(staff)
        db.session.flush()
        queues = db.session.execute(db.select(CsQueue)).scalars().all()
        db.session.add(CsAgent(staff_id=staff.id, capacity=ASSIGNED, presence="busy",
                               last_heartbeat_at=clock.utcnow(), queues=queues))
        now = clock.utcnow()
        conv_rows, n = [], 0
        for i in range(OPEN + HISTORY):
            open_ = i < OPEN
            start = now - timedelta(minutes=(i % OPEN) + 1) - (timedelta(days=1 + i % 300)
                                                               if not open_ else timedelta(0))
            conv_rows.append(dict(
                openid=f"oBenchInvestor{i % (OPEN + 1000):06d}" if not open_ else f"oBenchOpen{i:06d}",
                queue_id=queues[i % len(queues)].id,
                status=("assigned" if i < ASSIGNED else "waiting") if open_ else "resolved",
                assigned_to_id=staff.id if (i < ASSIGNED or not open_) else None,
                routed_by="rule", created_at=start, last_activity_at=start,
                last_inbound_at=start, waiting_since=start,
                assigned_at=start if i < ASSIGNED or not open_ else None,
                resolved_at=None if open_ else start + timedelta(minutes=20)))
        db.session.execute(db.insert(CsConversation), conv_rows)
        ids = db.session.execute(db.select(CsConversation.id, CsConversation.openid,
                                           CsConversation.created_at)).all()
        batch = []
        for cid, openid, start in ids:
            for k in range(PER_CONVERSATION):
                kind = ("in", "bot", "in", "out", "note")[k % 5]
                batch.append(dict(conversation_id=cid, openid=openid, kind=kind,
                                  body=f"第{k + 1}条消息：一码通激活时收不到短信验证码怎么办？",
                                  created_at=start + timedelta(seconds=k),
                                  delivery="sent" if kind == "out" else ""))
                n += 1
            if len(batch) >= 5000:
                db.session.execute(db.insert(CsMessage), batch)
                batch = []
        if batch:
            db.session.execute(db.insert(CsMessage), batch)
        db.session.commit()
        print(len(ids), n)


def login(base):
    import requests
    http = requests.Session()
    page = http.get(f"{base}/staff/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    resp = http.post(f"{base}/staff/login", data={"csrf_token": token, "username": AGENT,
                                                   "password": PASSWORD},
                     allow_redirects=False)
    assert resp.status_code == 302, resp.text[:500]
    return http


def timed(http, url, count, check, server=None):
    """Latencies in ms; with ``server``, also its CPU ms per request and the load."""
    times = []
    cpu0 = machine.cpu_seconds(server.proc.pid) if server else 0.0
    for _ in range(count):
        t0 = time.perf_counter()
        resp = http.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        check(resp)
    if server:
        return times, (machine.cpu_seconds(server.proc.pid) - cpu0) / count * 1000
    return times


def stats(times, cpu_ms=float("nan")):
    times = sorted(times)
    return {"n": len(times), "p50": statistics.median(times),
            "p90": harness.percentile(times, 90), "p99": harness.percentile(times, 99),
            "max": times[-1], "cpu_ms": cpu_ms, "load": machine.load_average()}


def inbound_to_console(base, http, trials):
    import requests

    from wechat_hall.simulator import push
    conv, openid = 1, "oBenchOpen000000"  # the first row seeded: assigned to the agent
    data = http.get(f"{base}/staff/cs/poll?c={conv}&after=0").json()
    assert data["conversation"]["mine"], data["conversation"]
    after = data["messages"][-1]["id"]
    pusher = requests.Session()
    results = []
    for i in range(trials):
        text = f"压测消息{i}：还在吗"
        args, body = push.sign(push.text_xml(openid, harness.TARGET, text), harness.TOKEN, harness.APPID,
                               harness.AES_KEY)
        t0 = time.perf_counter()
        resp = pusher.post(f"{base}/wechat", params=args, data=body.encode(),
                           headers={"Content-Type": "text/xml"})
        assert resp.status_code == 200
        while True:
            polled = http.get(f"{base}/staff/cs/poll?c={conv}&after={after}").json()
            found = [m for m in polled["messages"] if m["body"] == text]
            if found:
                results.append((time.perf_counter() - t0) * 1000)
                after = max(m["id"] for m in polled["messages"])
                break
            if time.perf_counter() - t0 > 10:
                raise RuntimeError(f"message {i} did not appear within 10 s")
            time.sleep(0.02)
    return results


def run(args):
    venv_bin = Path(sys.executable).parent
    url, db_desc, cleanup = harness.prepare_database(args.database_url, BENCH_DB)
    servers = []
    try:
        harness.create_schema(ROOT, url, args.redis_url)
        out = subprocess.run([sys.executable, __file__, "--seed", url, args.redis_url],
                             cwd=ROOT, env=harness.server_env(url, args.redis_url, 0),
                             capture_output=True, text=True, timeout=600)
        if out.returncode:
            raise RuntimeError("seeding failed:\n" + out.stderr[-3000:])
        conversations, messages = map(int, out.stdout.split()[-2:])
        logs = tempfile.mkdtemp(prefix="bench-cs-")
        settings = harness.gunicorn_settings(args)
        app_port, bare_port = harness.free_port(), harness.free_port()
        app = harness.Server("app", [str(venv_bin / "gunicorn"), *settings, "-b",
                                f"127.0.0.1:{app_port}", "wsgi:app"],
                        harness.server_env(url, args.redis_url, app_port), app_port, "/healthz", logs)
        bare = harness.Server("bare", [str(venv_bin / "gunicorn"), *settings, "-b",
                                  f"127.0.0.1:{bare_port}", "--chdir", "bench", "bare_app:app"],
                         harness.server_env(url, args.redis_url, bare_port), bare_port, "/bare", logs)
        servers = [app, bare]
        for s in servers:
            s.wait_ready()
        base = f"http://127.0.0.1:{app_port}"
        http = login(base)
        mine = http.get(f"{base}/staff/cs/poll").json()
        assert len(mine["mine"]) == ASSIGNED and len(mine["waiting"]) == 200, \
            (len(mine["mine"]), len(mine["waiting"]))
        conv = mine["mine"][0]["id"]
        last = http.get(f"{base}/staff/cs/poll?c={conv}").json()["messages"][-1]["id"]

        def page_ok(resp):
            assert resp.status_code == 200 and "排队中" in resp.text and "cs-thread" in resp.text

        def poll_ok(resp):
            assert resp.status_code == 200 and len(resp.json()["mine"]) == ASSIGNED

        import requests
        bare_http = requests.Session()
        for _ in range(20):  # warm-up
            http.get(f"{base}/staff/cs/?c={conv}")
            http.get(f"{base}/staff/cs/poll?c={conv}&after={last}")
            bare_http.get(f"http://127.0.0.1:{bare_port}/bare")
        rows = {
            "console page `GET /staff/cs/?c=…`": stats(*timed(
                http, f"{base}/staff/cs/?c={conv}", args.requests, page_ok, app)),
            "poll `GET /staff/cs/poll?c=…&after=…`": stats(*timed(
                http, f"{base}/staff/cs/poll?c={conv}&after={last}", args.requests, poll_ok,
                app)),
            "baseline `GET /bare`": stats(*timed(
                bare_http, f"http://127.0.0.1:{bare_port}/bare", args.requests,
                lambda r: r.raise_for_status(), bare)),
        }
        latency = inbound_to_console(base, http, args.trials)
        summary = dict(info=machine.machine_info(url, args.redis_url), db=db_desc, rows=rows,
                       latency=stats(latency), conversations=conversations, messages=messages,
                       revision=machine.app_revision(ROOT), settings=" ".join(settings), args=args)
    finally:
        for s in servers:
            s.stop()
        cleanup()
    print(render(summary))
    if not args.no_write:
        write(summary)


def render(s):
    info, base = s["info"], s["rows"]["baseline `GET /bare`"]["p50"]
    lines = [
        BEGIN,
        "## Customer-service console (`bench/cs_console.py`)",
        "",
        f"The agent's console with {OPEN} open conversations ({ASSIGNED} his, {OPEN - ASSIGNED} "
        f"waiting in his queues; the list shows the oldest 200) and {HISTORY} resolved ones: "
        f"{s['conversations']} conversations, {s['messages']} messages in all. Sequential "
        "requests on one keep-alive connection, against a bare Flask endpoint on the same "
        "gunicorn settings.",
        "",
        f"- Date: {info['date']}",
        f"- Machine: {info['nproc']} cores ({info['cpu']}), {info['memory']} memory; Python "
        f"{info['python']}, Flask {info['flask']}, gunicorn {info['gunicorn']}",
        f"- Code measured: {s['revision']}",
        f"- gunicorn (both servers): `{s['settings']}`",
        f"- Database: PostgreSQL {info['postgresql']}, {s['db']}; Redis {info['redis']}",
        "",
        "| request | n | p50 ms | p90 ms | p99 ms | max ms | p50 ÷ baseline p50 | "
        "server CPU ms/req | load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in s["rows"].items():
        lines.append(f"| {name} | {r['n']} | {r['p50']:.1f} | {r['p90']:.1f} | {r['p99']:.1f} "
                     f"| {r['max']:.1f} | {r['p50'] / base:.1f} | {r['cpu_ms']:.2f} | "
                     f"{r['load']:.1f} |")
    lat = s["latency"]
    lines += [
        "",
        f"**Inbound message → console** ({lat['n']} trials; an encrypted push to `/wechat`, "
        "then polling every 20 ms until the message is in the poll answer): "
        f"p50 {lat['p50']:.1f} ms, p90 {lat['p90']:.1f} ms, p99 {lat['p99']:.1f} ms, "
        f"max {lat['max']:.1f} ms. The console page polls every 2 s, so an agent sees a "
        "new message this much plus 0–2 s (1 s on average) after the investor sent it.",
        END,
    ]
    return "\n".join(lines)


def write(s):
    harness.write_section(BEGIN, END, render(s))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--seed":
        return seed(argv[1], argv[2])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--no-write", action="store_true")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
