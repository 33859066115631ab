#!/usr/bin/env python
"""Appointments and the hall queue under load (APT-6, APT-9), on gunicorn + PostgreSQL.

    .venv/bin/python bench/appointments_bench.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--redis-url redis://127.0.0.1:6379/13] [--workers 2] [--threads 8]
        [--racers 200] [--last-places 10] [--bookings 1500] [--concurrency 50]
        [--duration 10] [--no-write]

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
   the latency of 提交.
5. **Progress lookups**: ``GET /h5/queue/status.json`` (排号进度查询's answer: number,
   business, people ahead, estimate) for random real 排队码 of 300 tickets, closed loop
   over ``--concurrency`` connections for ``--duration`` s, against the bare endpoint
   in the same run: lookups/s, p50/p99.
6. Writes the figures to docs/BENCHMARKS.md between its own markers.
"""
import argparse
import asyncio
import os
import random
import re
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
for path in (ROOT, BENCH):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import harness  # noqa: E402

BENCH_DB = "hall_bench_apt"
SECRET_KEY = "bench-" + "0" * 58  # what harness.server_env gives the servers
BEGIN = "<!-- bench:appointments:begin -->"
END = "<!-- bench:appointments:end -->"


# -- setup (in this process, before the servers start) ------------------------------

def valid_id(n):
    """The n-th distinct valid resident ID number (birth dates from 1960 on)."""
    from wechat_hall.services.accounts.check_characters import gb11643_check_char
    birth = date(1960, 1, 1) + timedelta(days=n // 900)
    first17 = f"110101{birth:%Y%m%d}{n % 900 + 100:03d}"
    return first17 + gb11643_check_char(first17)


def setup(database_url, redis_url, last_places):
    from sqlalchemy import update

    from models import BookingSlot, BusinessType, Office, SlotTemplate
    from wechat_hall import create_app
    from wechat_hall.demo import hall_counters, offices
    from wechat_hall.extensions import db
    from wechat_hall.services.appointments import hall_queue, slots

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url,
                      "SECRET_KEY": SECRET_KEY})
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
        serializer = app.session_interface.get_signing_serializer(app)
        plan["cookie"] = lambda openid: serializer.dumps({"wechat_openid": openid})
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


# -- a minimal keep-alive HTTP/1.1 client -----------------------------------------

class Conn:
    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None
        self.cookie = ""

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method, path, form=None):
        """One request; a kept-alive connection the server has closed meanwhile (it never
        saw the request) is reopened once, as HTTP clients do."""
        reused = self.writer is not None
        try:
            return await self._request(method, path, form)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            if not reused or not getattr(exc, "before_response", False):
                raise
            self.writer = None
            return await self._request(method, path, form)

    async def _request(self, method, path, form=None):
        if self.writer is None:
            await self.open()
        body = urlencode(form).encode() if form is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if self.cookie:
            head.append(f"Cookie: session={self.cookie}")
        if form is not None:
            head += ["Content-Type: application/x-www-form-urlencoded",
                     f"Content-Length: {len(body)}"]
        try:
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            await self.writer.drain()
            status_line = await self.reader.readline()
        except (ConnectionError, OSError) as exc:
            error = ConnectionError(f"closed ({exc})")
            error.before_response = True
            raise error from None
        if not status_line:
            error = ConnectionError("closed")
            error.before_response = True
            raise error
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            value = value.strip()
            if name == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0][len("session="):]
            headers[name] = value
        length = int(headers.get("content-length", "0"))
        data = await self.reader.readexactly(length) if length else b""
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return status, headers, data

    def close(self):
        if self.writer is not None:
            self.writer.close()


CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN = re.compile(rb'name="token" value="([^"]+)"')


async def reach_preview(conn, form):
    """Form → preview: returns (csrf, token) for the confirm."""
    status, _, page = await conn.request("GET", f"/h5/appointments/apply?office={form['office']}")
    assert status == 200, status
    data = {k: v for k, v in form.items() if k != "office"}
    data["csrf_token"] = CSRF.search(page).group(1).decode()
    status, headers, body = await conn.request(
        "POST", f"/h5/appointments/apply?office={form['office']}", data)
    assert status == 302 and headers["location"].endswith("/preview"), (status, body[-400:])
    status, _, page = await conn.request("GET", "/h5/appointments/preview")
    assert status == 200, status
    return CSRF.search(page).group(1).decode(), TOKEN.search(page).group(1).decode()


async def confirm(conn, csrf, token):
    start = time.perf_counter()
    status, headers, _ = await conn.request("POST", "/h5/appointments/confirm",
                                            {"csrf_token": csrf, "token": token})
    elapsed = time.perf_counter() - start
    location = headers.get("location", "")
    if status == 302 and "new=1" in location:
        return "booked", elapsed
    if status == 302 and "/apply" in location:
        return "refused", elapsed
    return f"http {status}", elapsed


def form_for(plan, n, office, template, day, business):
    return {"office": office, "agent_type": "domestic", "agent_name": f"压测{n}",
            "agent_company": "压测公司", "id_number": valid_id(n), "business_type_id": business,
            "items": "1", "day": day, "template_id": template, "agree": "y"}


async def race(port, plan, racers):
    conns = []
    for i in range(racers):
        conn = Conn(port)
        conn.cookie = plan["cookie"](f"o_bench_racer_{i:04d}")
        conns.append(conn)
    r = plan["race"]

    async def prepare(i):
        return await reach_preview(conns[i], form_for(plan, i, r["office"], r["template"],
                                                      r["day"], r["business"]))
    tickets = await _bounded_indexed(range(racers), 50, prepare)
    start = time.perf_counter()
    results = await asyncio.gather(*(confirm(conns[i], *tickets[i]) for i in range(racers)),
                                   return_exceptions=True)
    wall = time.perf_counter() - start
    for c in conns:
        c.close()
    outcomes = [r[0] if isinstance(r, tuple) else f"error {type(r).__name__}" for r in results]
    latencies = sorted(r[1] for r in results if isinstance(r, tuple))
    return outcomes, latencies, wall


async def _bounded_indexed(indices, concurrency, worker):
    out = {}

    async def one(i):
        out[i] = await worker(i)
    queue = list(indices)

    async def run():
        while queue:
            await one(queue.pop())
    await asyncio.gather(*(run() for _ in range(concurrency)))
    return out


async def sustained(port, plan, count, concurrency):
    """Users spread over every hall, slot and open day; returns prepare and confirm rates."""
    race = (plan["race"]["template"], plan["race"]["day"])
    combos = [(office, t, day, info["business"][k % len(info["business"])])
              for office, info in plan["offices"].items()
              for k, t in enumerate(info["templates"]) for day in plan["days"]
              if (t, day) != race]  # the race slot is full
    users = []
    for n in range(count):
        conn = Conn(port)
        conn.cookie = plan["cookie"](f"o_bench_user_{n:05d}")
        office, template, day, business = combos[n % len(combos)]
        users.append((conn, form_for(plan, 10_000 + n, office, template, day, business)))

    async def prepare(i):
        conn, form = users[i]
        result = await reach_preview(conn, form)
        conn.close()
        conn.writer = None
        return result
    start = time.perf_counter()
    tickets = await _bounded_indexed(range(count), concurrency, prepare)
    prepare_wall = time.perf_counter() - start
    pool = [Conn(port) for _ in range(concurrency)]

    # One connection per lane: lane w confirms users w, w+C, w+2C …
    start = time.perf_counter()

    async def lane(w):
        out = []
        for i in range(w, count, concurrency):
            pool[w].cookie = users[i][0].cookie
            out.append(await confirm(pool[w], *tickets[i]))
        return out
    lanes = await asyncio.gather(*(lane(w) for w in range(concurrency)))
    wall = time.perf_counter() - start
    for c in pool:
        c.close()
    results = [r for lane_results in lanes for r in lane_results]
    return dict(prepare_wall=prepare_wall, wall=wall,
                outcomes=[r[0] for r in results], latencies=sorted(r[1] for r in results),
                slots=len(combos))


async def closed_loop(port, paths, concurrency, seconds, check):
    latencies, errors = [], {}
    stop_at = time.perf_counter() + seconds
    rng = random.Random(7)

    async def worker():
        conn = Conn(port)
        while time.perf_counter() < stop_at:
            path = rng.choice(paths)
            start = time.perf_counter()
            try:
                status, _, body = await conn.request("GET", path)
            except (ConnectionError, asyncio.IncompleteReadError, OSError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                conn = Conn(port)
                continue
            latencies.append(time.perf_counter() - start)
            if status != 200 or not check(body):
                errors[f"http {status}"] = errors.get(f"http {status}", 0) + 1
        conn.close()
    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sorted(latencies), errors, time.perf_counter() - start


def pct(values, p):
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


# -- orchestration ------------------------------------------------------------------

def run(args):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    url, db_desc, cleanup = harness.prepare_database(args.database_url, BENCH_DB)
    servers = []
    try:
        app, plan = setup(url, args.redis_url, args.last_places)
        settings = ["--workers", str(args.workers), "--worker-class", "gthread",
                    "--threads", str(args.threads), "--log-level", "warning"]
        logs = tempfile.mkdtemp(prefix="bench-apt-")
        app_port, bare_port = harness.free_port(), harness.free_port()
        app_server = harness.Server("app", [str(gunicorn), *settings, "--bind",
                                       f"127.0.0.1:{app_port}", "wsgi:app"],
                               harness.server_env(url, args.redis_url, app_port), app_port,
                               "/healthz", logs)
        servers.append(app_server)
        bare = harness.Server("bare", [str(gunicorn), *settings, "--bind", f"127.0.0.1:{bare_port}",
                                  "--chdir", str(BENCH), "bare_app:app"],
                         harness.server_env(url, args.redis_url, bare_port), bare_port, "/bare", logs)
        servers.append(bare)
        app_server.wait_ready()
        bare.wait_ready()
        info = harness.machine_info(url, args.redis_url)
        info["revision"] = harness.app_revision(ROOT)
        load_before = os.getloadavg()

        outcomes, race_lat, race_wall = asyncio.run(race(app_port, plan, args.racers))
        rows, taken, capacity = count_race(app, plan)
        race_result = dict(racers=args.racers, places=args.last_places,
                           booked=outcomes.count("booked"), refused=outcomes.count("refused"),
                           other=[o for o in outcomes if o not in ("booked", "refused")],
                           rows=rows, taken=taken, wall=race_wall,
                           p50=pct(race_lat, 50), p99=pct(race_lat, 99), max=pct(race_lat, 100))
        print("race:", {k: (v if k != "other" else {o: v.count(o) for o in set(v)})
                        for k, v in race_result.items()})

        sus = asyncio.run(sustained(app_port, plan, args.bookings, args.concurrency))
        sus_result = dict(count=args.bookings, slots=sus["slots"],
                          booked=sus["outcomes"].count("booked"),
                          other=len([o for o in sus["outcomes"] if o != "booked"]),
                          other_kinds=sorted({o for o in sus["outcomes"] if o != "booked"}),
                          rate=args.bookings / sus["wall"],
                          prepare_rate=args.bookings / sus["prepare_wall"],
                          p50=pct(sus["latencies"], 50), p99=pct(sus["latencies"], 99),
                          max=pct(sus["latencies"], 100))
        print("sustained:", sus_result)

        paths = [f"/h5/queue/status.json?office=SH&code={c}" for c in plan["codes"]]
        progress = {}
        for name, port, p, check in [
                ("app", app_port, paths, lambda b: b'"label"' in b),
                ("bare", bare_port, ["/bare"], lambda b: b == b"ok")] * 2:
            asyncio.run(closed_loop(port, p, args.concurrency, 2, check))  # warm-up
            lat, errors, wall = asyncio.run(closed_loop(port, p, args.concurrency,
                                                        args.duration, check))
            entry = progress.setdefault(name, {"n": 0, "wall": 0.0, "lat": [], "errors": {}})
            entry["n"] += len(lat)
            entry["wall"] += wall
            entry["lat"] += lat
            for k, v in errors.items():
                entry["errors"][k] = entry["errors"].get(k, 0) + v
        for name, entry in progress.items():
            entry["lat"].sort()
            entry.update(rate=entry["n"] / entry["wall"], p50=pct(entry["lat"], 50),
                         p99=pct(entry["lat"], 99), max=pct(entry["lat"], 100))
            print("progress", name, {k: v for k, v in entry.items() if k != "lat"})
        info["load"] = (f"{load_before[0]:.1f} before the run, {os.getloadavg()[0]:.1f} after "
                        "(1-minute load average, this machine has "
                        f"{info['nproc']} cores; anything above that is other work)")
        summary = dict(info=info, db=db_desc, race=race_result, sus=sus_result,
                       progress=progress, args=vars(args), settings=" ".join(settings))
        if not args.no_write:
            write_doc(render(summary))
        return summary
    finally:
        for server in servers:
            server.stop()
        cleanup()


def render(s):
    i, r, b, p, a = s["info"], s["race"], s["sus"], s["progress"], s["args"]
    ratio = p["app"]["rate"] / p["bare"]["rate"] if p["bare"]["rate"] else float("nan")
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
        f"- Machine: {i['nproc']} cores ({i['cpu']}), {i['memory']} memory, Linux {i['kernel']}; "
        f"Python {i['python']}, Flask {i['flask']}, gunicorn {i['gunicorn']}",
        f"- Code measured: {i['revision']}",
        f"- gunicorn: `{s['settings']}`",
        f"- Database: PostgreSQL {i['postgresql']}, {s['db']}; Redis {i['redis']}",
        f"- Machine load: {i['load']}",
        "",
        "| scenario | result | wall | p50 ms | p99 ms | max ms |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        f"| race: {r['racers']} users press 提交 at once for the last {r['places']} places | "
        f"{r['booked']} booked, {r['refused']} told 约满, {len(r['other'])} other; "
        f"{r['rows']} rows in the slot | {r['wall']:.2f} s | {r['p50']:.0f} | {r['p99']:.0f} | "
        f"{r['max']:.0f} |",
        f"| sustained: {b['count']} bookings over {b['slots']} slots, {a['concurrency']} "
        f"connections | **{b['rate']:.0f} bookings/s** ({b['booked']} booked, {b['other']} other) | "
        f"{b['count'] / b['rate']:.1f} s | {b['p50']:.0f} | {b['p99']:.0f} | {b['max']:.0f} |",
        f"| form + preview before each booking (3 requests) | {b['prepare_rate']:.0f} users/s | | | | |",
        f"| progress `GET /h5/queue/status.json`, {a['concurrency']} connections, "
        f"2 × {a['duration']} s | **{p['app']['rate']:.0f} lookups/s**, errors "
        f"{sum(p['app']['errors'].values())} | | {p['app']['p50']:.1f} | {p['app']['p99']:.1f} | "
        f"{p['app']['max']:.1f} |",
        f"| baseline `GET /bare` (same gunicorn) | {p['bare']['rate']:.0f} req/s | | "
        f"{p['bare']['p50']:.1f} | {p['bare']['p99']:.1f} | {p['bare']['max']:.1f} |",
        "",
        f"**Progress ratio app ÷ bare: {ratio:.2f}**",
        "",
        "| target | exactly the free places booked, all answered | ≥ 200 bookings/s | "
        "≥ 1000 lookups/s | lookup p99 < 50 ms |",
        "| --- | --- | --- | --- | --- |",
        f"| result | {'met' if ok_race else '**not met**'} | "
        f"{'met' if b['rate'] >= 200 else '**not met**'} ({b['rate']:.0f}) | "
        f"{'met' if p['app']['rate'] >= 1000 else '**not met**'} ({p['app']['rate']:.0f}) | "
        f"{'met' if p['app']['p99'] < 50 else '**not met**'} ({p['app']['p99']:.1f} ms) |",
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
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args(argv)
    summary = run(args)
    r = summary["race"]
    return 0 if r["booked"] == r["places"] and r["rows"] == r["places"] and not r["other"] else 1


if __name__ == "__main__":
    sys.exit(main())
