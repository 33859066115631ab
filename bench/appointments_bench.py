#!/usr/bin/env python
"""Appointments and the hall queue under load (APT-6, APT-9), on gunicorn + PostgreSQL.

    .venv/bin/python bench/appointments_bench.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--redis-url redis://127.0.0.1:6379/13] [--workers 2] [--threads 8]
        [--racers 200] [--last-places 10] [--bookings 1500] [--concurrency 50]
        [--duration 10] [--rate 1000] [--no-write]

All on 127.0.0.1, bounded in count and time:

1. Creates the database ``hall_bench_apt`` beside ``--database-url`` (dropped at the
   end), the app's tables and the demo halls; every slot offers 5000 places except the
   race slot, which has ``--last-places`` left.
2. Starts the real app (``wsgi:app``) and ``bench/bare_app.py`` under gunicorn with the
   same settings.
3. **Race**: ``--racers`` WeChat users (signed session cookies, as after OAuth) each fill
   the form and reach the preview (untimed); then all press 提交 at the same moment on
   their own connections. Exactly ``--last-places`` must succeed, every request must be
   answered (302 to the success page or back to the form with 约满), and the database
   must hold exactly that many appointments for the slot.
4. **Sustained bookings**: ``--bookings`` users, spread over 3 halls × 6 slots × every
   open day of the window, reach the preview (timed separately: the form + preview
   rate), then confirm over ``--concurrency`` keep-alive connections: bookings/s and
   the latency of 提交. The same 提交 requests go to the bare app right before and
   right after (its ``POST /h5/appointments/confirm`` answers the 302 and books
   nothing): the ratio of the two rates and CPUs.
5. **Progress lookups**: ``GET /h5/queue/status.json`` (排号进度查询's answer: number,
   business, people ahead, estimate) for random real 排队码 of 300 tickets, closed loop
   over ``--concurrency`` connections for ``--duration`` s, against the bare endpoint
   in the same run: lookups/s, p50/p99. Then both again at a fixed ``--rate`` offered
   (open loop, each request timed from when it was due, ``appointments_load.fixed_rate``):
   the latency at the target load, which the closed loop's saturation cannot show.
6. Writes the figures to docs/BENCHMARKS.md between its own markers.
"""
import argparse
import asyncio
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
for path in (ROOT, BENCH):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import harness  # noqa: E402
import machine  # noqa: E402
from appointments_load import closed_loop, fixed_rate, race, sustained  # noqa: E402

BENCH_DB = "hall_bench_apt"
BEGIN = "<!-- bench:appointments:begin -->"
END = "<!-- bench:appointments:end -->"


# -- setup (in this process, before the servers start) ------------------------------

def setup(database_url, redis_url, last_places):
    from sqlalchemy import update

    from models import BookingSlot, BusinessType, Office, SlotTemplate
    from wechat_hall.demo import hall_counters, offices
    from wechat_hall.extensions import db
    from wechat_hall.services.appointments import hall_queue, slots

    app = harness.make_app(database_url, redis_url)
    with app.app_context():
        db.create_all()
        offices.seed()
        db.session.flush()
        hall_counters.seed()
        db.session.execute(update(SlotTemplate).values(capacity=5000))
        db.session.commit()
        days = [d.day for d in slots.window() if d.open]
        plan = {"days": [d.isoformat() for d in days], "offices": {}}
        for office in db.session.execute(db.select(Office)).scalars():
            plan["offices"][office.code] = {
                "business": [b.id for b in db.session.execute(db.select(BusinessType).filter_by(
                    office_id=office.id)).scalars()],
                "templates": [t.id for t in db.session.execute(db.select(SlotTemplate).filter_by(
                    office_id=office.id).order_by(SlotTemplate.start_time)).scalars()]}
        sh = db.session.execute(db.select(Office).filter_by(code="SH")).scalar_one()
        race_template = plan["offices"]["SH"]["templates"][0]
        slots.ensure_slots(sh.id, days[0])
        db.session.execute(update(BookingSlot).where(
            BookingSlot.template_id == race_template, BookingSlot.day == days[0])
            .values(capacity=40 + last_places, booked=40))
        db.session.commit()
        plan["race"] = {"office": "SH", "template": race_template, "day": days[0].isoformat(),
                        "business": plan["offices"]["SH"]["business"][0]}
        codes = []
        for i in range(300):
            business = plan["offices"]["SH"]["business"][i % 5]
            codes.append(hall_queue.walk_in(sh, business).query_code)
        plan["codes"] = codes
        plan["cookie"] = lambda openid: harness.session_cookie(app, {"wechat_openid": openid})
        db.engine.dispose()
    return app, plan


def count_race(app, plan):
    """(appointments in the race slot, places taken beyond the 40 pre-booked, free places)."""
    from models import Appointment, BookingSlot
    from wechat_hall.extensions import db
    with app.app_context():
        slot = db.session.execute(db.select(BookingSlot).filter_by(
            template_id=plan["race"]["template"],
            day=date.fromisoformat(plan["race"]["day"]))).scalar_one()
        rows = db.session.execute(db.select(db.func.count(Appointment.id)).filter_by(
            slot_id=slot.id)).scalar_one()
        result = rows, slot.booked - 40, slot.capacity - 40
        db.engine.dispose()
        return result

# -- orchestration ------------------------------------------------------------------

def ms(sorted_values, p):
    """The p-th percentile of sorted seconds, in milliseconds."""
    return harness.percentile(sorted_values, p) * 1000


def run(args):
    url, db_desc, cleanup = harness.prepare_database(args.database_url, BENCH_DB)
    servers = []
    try:
        app, plan = setup(url, args.redis_url, args.last_places)
        settings = harness.gunicorn_settings(args)
        logs = tempfile.mkdtemp(prefix="bench-apt-")
        app_port, bare_port = harness.free_port(), harness.free_port()
        app_env, profiling = harness.server_env(url, args.redis_url, app_port), []
        if args.yappi:  # each worker writes its CPU profile at exit (bench/gunicorn_yappi.py)
            os.makedirs(args.yappi, exist_ok=True)
            app_env["BENCH_YAPPI_DIR"] = os.path.abspath(args.yappi)
            profiling = ["--config", str(BENCH / "gunicorn_yappi.py")]
        app_server = harness.Server("app", [str(harness.GUNICORN), *profiling, *settings,
                                            "--bind", f"127.0.0.1:{app_port}", "wsgi:app"],
                                    app_env, app_port, "/healthz", logs)
        servers.append(app_server)
        bare = harness.Server("bare", [str(harness.GUNICORN), *settings, "--bind", f"127.0.0.1:{bare_port}",
                                  "--chdir", str(BENCH), "bare_app:app"],
                         harness.server_env(url, args.redis_url, bare_port), bare_port, "/bare", logs)
        servers.append(bare)
        app_server.wait_ready()
        bare.wait_ready()
        info = machine.machine_info(url, args.redis_url)
        info["revision"] = machine.app_revision(ROOT)
        load_before = os.getloadavg()

        outcomes, race_lat, race_wall = asyncio.run(race(app_port, plan, args.racers))
        rows, taken, capacity = count_race(app, plan)
        race_result = dict(racers=args.racers, places=args.last_places,
                           booked=outcomes.count("booked"), refused=outcomes.count("refused"),
                           other=[o for o in outcomes if o not in ("booked", "refused")],
                           rows=rows, taken=taken, wall=race_wall,
                           p50=ms(race_lat, 50), p99=ms(race_lat, 99), max=ms(race_lat, 100))
        print("race:", {k: (v if k != "other" else {o: v.count(o) for o in set(v)})
                        for k, v in race_result.items()})

        app_cpu = lambda: machine.cpu_seconds(app_server.proc.pid)  # noqa: E731
        bare_cpu = lambda: machine.cpu_seconds(bare.proc.pid)  # noqa: E731
        sus = asyncio.run(sustained(app_port, plan, args.bookings, args.concurrency,
                                    meter=app_cpu, baseline=(bare_port, bare_cpu)))
        sus_result = dict(count=args.bookings, slots=sus["slots"],
                          booked=sus["outcomes"].count("booked"),
                          other=len([o for o in sus["outcomes"] if o != "booked"]),
                          other_kinds=sorted({o for o in sus["outcomes"] if o != "booked"}),
                          rate=args.bookings / sus["wall"],
                          prepare_rate=args.bookings / sus["prepare_wall"],
                          p50=ms(sus["latencies"], 50), p99=ms(sus["latencies"], 99),
                          max=ms(sus["latencies"], 100),
                          cpu_ms=sus["cpu"] / args.bookings * 1000,
                          prepare_cpu_ms=sus["prepare_cpu"] / args.bookings * 1000,
                          load=sus["load"], baseline=sus["baseline"])
        print("sustained:", sus_result)

        paths = [f"/h5/queue/status.json?office=SH&code={c}" for c in plan["codes"]]
        targets = [("app", app_server, paths, lambda b: b'"label"' in b),
                   ("bare", bare, ["/bare"], lambda b: b == b"ok")]

        def closed(port, p, check):
            lat, errors, wall = asyncio.run(closed_loop(port, p, args.concurrency,
                                                        args.duration, check))
            return lat, errors, wall, len(lat)
        progress = lookups(targets, closed, warm=lambda port, p, check: asyncio.run(
            closed_loop(port, p, args.concurrency, 2, check)))
        at_rate = lookups(targets, lambda port, p, check: asyncio.run(fixed_rate(
            port, p, args.rate, args.duration, args.concurrency, check)))
        for label, measured in (("progress", progress), (f"progress at {args.rate:.0f}/s", at_rate)):
            for name, entry in measured.items():
                print(label, name, {k: v for k, v in entry.items() if k != "lat"})
        info["load"] = (f"{load_before[0]:.1f} before the run, {os.getloadavg()[0]:.1f} after "
                        "(1-minute load average, this machine has "
                        f"{info['nproc']} cores; it counts runnable threads, the servers' and the "
                        "load client's among them)")
        summary = dict(info=info, db=db_desc, race=race_result, sus=sus_result,
                       progress=progress, at_rate=at_rate, args=vars(args),
                       settings=" ".join(settings))
        if not args.no_write and not args.yappi:
            write_doc(render(summary))
        return summary
    finally:
        for server in servers:
            server.stop()
        cleanup()


def lookups(targets, load, warm=None):
    """Each ``(name, server, paths, check)`` of ``targets`` in turn, twice, under
    ``load(port, paths, check) -> (latencies, errors, wall, sent)`` (after ``warm``, the
    same call outside the measurement). Per name: requests answered and sent, the rate,
    p50/p99/max, the server's CPU per request and the highest load average."""
    out = {}
    for name, server, paths, check in targets * 2:
        if warm:
            warm(server.port, paths, check)
        cpu0 = machine.cpu_seconds(server.proc.pid)
        lat, errors, wall, sent = load(server.port, paths, check)
        entry = out.setdefault(name, {"n": 0, "sent": 0, "wall": 0.0, "lat": [], "errors": {},
                                      "cpu": 0.0, "load": 0.0})
        entry["cpu"] += machine.cpu_seconds(server.proc.pid) - cpu0
        entry["load"] = max(entry["load"], machine.load_average())
        entry["n"] += len(lat)
        entry["sent"] += sent
        entry["wall"] += wall
        entry["lat"] += lat
        for k, v in errors.items():
            entry["errors"][k] = entry["errors"].get(k, 0) + v
    for entry in out.values():
        entry["lat"].sort()
        entry.update(rate=entry["n"] / entry["wall"], p50=ms(entry["lat"], 50),
                     cpu_ms=entry["cpu"] / max(1, entry["n"]) * 1000,
                     p99=ms(entry["lat"], 99), max=ms(entry["lat"], 100))
    return out


def render(s):
    i, r, b, p, a = s["info"], s["race"], s["sus"], s["progress"], s["args"]
    f = s["at_rate"]
    ratio = p["app"]["rate"] / p["bare"]["rate"] if p["bare"]["rate"] else float("nan")
    # The rate target is held when the app answered what was offered (within 1 %, all
    # correct); its latency target is judged there, not at the closed loop's saturation.
    held = (f["app"]["n"] >= 0.99 * f["app"]["sent"] and not f["app"]["errors"]
            and f["app"]["rate"] >= 0.99 * a["rate"])
    ok_race = (r["booked"] == r["places"] and r["rows"] == r["places"] and not r["other"]
               and r["booked"] + r["refused"] == r["racers"])
    lines = [
        BEGIN,
        "## Appointments and queue progress (`bench/appointments_bench.py`)",
        "",
        "The real app (`wsgi:app`) on gunicorn with PostgreSQL and Redis, driven over",
        "keep-alive HTTP/1.1 by one separate asyncio process, as WeChat users with signed",
        "session cookies (what OAuth leaves). Bookings go through the pages: the form, the",
        "preview (CSRF and the one-time token), then 提交.",
        "",
        f"- Date: {i['date']}",
        f"- Machine: {machine.machine_line(i)}",
        f"- Code measured: {i['revision']}",
        f"- gunicorn: `{s['settings']}`",
        f"- Database: PostgreSQL {i['postgresql']}, {s['db']}; Redis {i['redis']}",
        f"- Machine load: {i['load']}",
        "",
        "| scenario | result | wall | p50 ms | p99 ms | max ms | server CPU ms/req | load |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| race: {r['racers']} users press 提交 at once for the last {r['places']} places | "
        f"{r['booked']} booked, {r['refused']} told 约满, {len(r['other'])} other; "
        f"{r['rows']} rows in the slot | {r['wall']:.2f} s | {r['p50']:.0f} | {r['p99']:.0f} | "
        f"{r['max']:.0f} | | |",
        f"| sustained: {b['count']} bookings over {b['slots']} slots, {a['concurrency']} "
        f"connections | **{b['rate']:.0f} bookings/s** ({b['booked']} booked, {b['other']} other) | "
        f"{b['count'] / b['rate']:.1f} s | {b['p50']:.0f} | {b['p99']:.0f} | {b['max']:.0f} | "
        f"{b['cpu_ms']:.2f} (提交) | {b['load']:.1f} |",
        f"| baseline: the same 提交 requests to `bench/bare_app.py` (parse the form, answer "
        f"the 302), right before and after | {b['baseline']['rate']:.0f} req/s "
        f"({b['baseline']['other']} not 302) | | | | | {b['baseline']['cpu_ms']:.2f} | |",
        f"| form + preview before each booking (3 requests) | {b['prepare_rate']:.0f} users/s "
        f"| | | | | {b['prepare_cpu_ms']:.2f} (3 requests) | |",
        f"| progress `GET /h5/queue/status.json`, {a['concurrency']} connections, "
        f"2 × {a['duration']} s | **{p['app']['rate']:.0f} lookups/s**, errors "
        f"{sum(p['app']['errors'].values())} | | {p['app']['p50']:.1f} | {p['app']['p99']:.1f} | "
        f"{p['app']['max']:.1f} | {p['app']['cpu_ms']:.2f} | {p['app']['load']:.1f} |",
        f"| baseline `GET /bare` (same gunicorn) | {p['bare']['rate']:.0f} req/s | | "
        f"{p['bare']['p50']:.1f} | {p['bare']['p99']:.1f} | {p['bare']['max']:.1f} | "
        f"{p['bare']['cpu_ms']:.2f} | {p['bare']['load']:.1f} |",
        f"| progress at a fixed {a['rate']:.0f} lookups/s offered (open loop, latency from "
        f"when each was due), {a['concurrency']} connections, 2 × {a['duration']} s | "
        f"**{f['app']['rate']:.0f} lookups/s**, {f['app']['n']} of {f['app']['sent']} "
        f"answered, errors {sum(f['app']['errors'].values())} | | {f['app']['p50']:.1f} | "
        f"**{f['app']['p99']:.1f}** | {f['app']['max']:.1f} | {f['app']['cpu_ms']:.2f} | "
        f"{f['app']['load']:.1f} |",
        f"| baseline `GET /bare` at the same fixed rate | {f['bare']['rate']:.0f} req/s | | "
        f"{f['bare']['p50']:.1f} | {f['bare']['p99']:.1f} | {f['bare']['max']:.1f} | "
        f"{f['bare']['cpu_ms']:.2f} | {f['bare']['load']:.1f} |",
        "",
        f"**Bookings ÷ baseline: {b['rate'] / b['baseline']['rate']:.2f}** in throughput, "
        f"server CPU per 提交 {b['cpu_ms'] / b['baseline']['cpu_ms']:.1f}× the baseline's. "
        f"**Progress ratio app ÷ bare: {ratio:.2f}**",
        "",
        "| target | exactly the free places booked, all answered | ≥ 200 bookings/s | "
        "≥ 1000 lookups/s (closed loop) | lookup p99 < 50 ms at 1000 lookups/s offered |",
        "| --- | --- | --- | --- | --- |",
        f"| result | {'met' if ok_race else '**not met**'} | "
        f"{'met' if b['rate'] >= 200 else '**not met**'} ({b['rate']:.0f}) | "
        f"{'met' if p['app']['rate'] >= 1000 else '**not met**'} ({p['app']['rate']:.0f}) | "
        f"{'met' if held and f['app']['p99'] < 50 and a['rate'] >= 1000 else '**not met**'} "
        f"({f['app']['p99']:.1f} ms at {f['app']['rate']:.0f}/s) |",
        "",
        f"The closed loop measures throughput: {a['concurrency']} connections each send again "
        "as soon as they are answered, so the server is always saturated and a request's "
        "latency is mostly its wait behind the others (at R lookups/s, "
        f"{a['concurrency']} ÷ R on average: "
        f"{a['concurrency'] / p['app']['rate'] * 1000 if p['app']['rate'] else float('nan'):.0f}"
        " ms here). "
        "The fixed rate measures the latency at the target load: requests are due on a "
        "schedule whatever the answers, and each is timed from when it was due, so a "
        "server that falls behind is charged for it.",
        "",
        "Run it: `.venv/bin/python bench/appointments_bench.py` (needs PostgreSQL and Redis; "
        f"creates and drops `{BENCH_DB}`).",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_doc(section):
    harness.write_section(BEGIN, END, section)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--racers", type=int, default=200)
    p.add_argument("--last-places", type=int, default=10)
    p.add_argument("--bookings", type=int, default=1500)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--rate", type=float, default=1000,
                   help="progress lookups per second offered in the fixed-rate run")
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--yappi", metavar="DIR",
                   help="profile the app's workers with yappi (pip install yappi) into DIR; "
                        "implies --no-write")
    args = p.parse_args(argv)
    summary = run(args)
    r = summary["race"]
    return 0 if r["booked"] == r["places"] and r["rows"] == r["places"] and not r["other"] else 1


if __name__ == "__main__":
    sys.exit(main())
