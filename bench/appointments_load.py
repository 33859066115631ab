"""The load bench/appointments_bench.py puts on the servers: a keep-alive HTTP/1.1 client,
WeChat users booking through the pages (form → preview → 提交), the race for the last
places, sustained bookings, and GETs in a closed loop and at a fixed rate (the progress
lookups and the baseline).

Everything here runs in the benchmark's own process, against servers it started.
"""
import asyncio
import os
import random
import re
import time
from datetime import date, timedelta
from urllib.parse import urlencode


def valid_id(n):
    """The n-th distinct valid resident ID number (birth dates from 1960 on)."""
    from wechat_hall.services.accounts.check_characters import gb11643_check_char
    birth = date(1960, 1, 1) + timedelta(days=n // 900)
    first17 = f"110101{birth:%Y%m%d}{n % 900 + 100:03d}"
    return first17 + gb11643_check_char(first17)


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
    tickets = await bounded_indexed(range(racers), 50, prepare)
    start = time.perf_counter()
    results = await asyncio.gather(*(confirm(conns[i], *tickets[i]) for i in range(racers)),
                                   return_exceptions=True)
    wall = time.perf_counter() - start
    for c in conns:
        c.close()
    outcomes = [r[0] if isinstance(r, tuple) else f"error {type(r).__name__}" for r in results]
    latencies = sorted(r[1] for r in results if isinstance(r, tuple))
    return outcomes, latencies, wall


async def bounded_indexed(indices, concurrency, worker):
    out = {}

    async def one(i):
        out[i] = await worker(i)
    queue = list(indices)

    async def run():
        while queue:
            await one(queue.pop())
    await asyncio.gather(*(run() for _ in range(concurrency)))
    return out


async def sustained(port, plan, count, concurrency, meter=lambda: 0.0, baseline=None):
    """Users spread over every hall, slot and open day; returns prepare and confirm rates,
    and the server CPU of each phase (``meter()``: the server's CPU seconds so far).
    ``baseline`` (port, meter) is a server that answers the same 提交 requests without
    booking anything (``bench/bare_app.py``): it gets them right before and right after
    the app, and its rate and CPU come back under ``"baseline"``."""
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
    start, cpu0 = time.perf_counter(), meter()
    tickets = await bounded_indexed(range(count), concurrency, prepare)
    prepare_wall, prepare_cpu = time.perf_counter() - start, meter() - cpu0
    cookies = [conn.cookie for conn, _ in users]
    runs = []
    if baseline:
        runs.append(await confirm_lanes(*baseline, cookies, tickets, concurrency))
    results, wall, cpu, load = await confirm_lanes(port, meter, cookies, tickets, concurrency)
    if baseline:
        runs.append(await confirm_lanes(*baseline, cookies, tickets, concurrency))
    out = dict(prepare_wall=prepare_wall, wall=wall, prepare_cpu=prepare_cpu, cpu=cpu,
               load=load, outcomes=[r[0] for r in results],
               latencies=sorted(r[1] for r in results), slots=len(combos))
    if runs:
        out["baseline"] = dict(
            rate=sum(count / r[1] for r in runs) / len(runs),
            cpu_ms=sum(r[2] for r in runs) / len(runs) / count * 1000,
            other=sum(1 for r in runs for o in r[0] if o[0] != "booked"))
    return out


async def confirm_lanes(port, meter, cookies, tickets, concurrency):
    """提交 for every user, one connection per lane: lane w confirms users w, w+C, w+2C …
    Returns (outcomes with latencies, wall seconds, server CPU seconds, load)."""
    pool = [Conn(port) for _ in range(concurrency)]
    start, cpu0, load0 = time.perf_counter(), meter(), os.getloadavg()[0]

    async def lane(w):
        out = []
        for i in range(w, len(tickets), concurrency):
            pool[w].cookie = cookies[i]
            out.append(await confirm(pool[w], *tickets[i]))
        return out
    lanes = await asyncio.gather(*(lane(w) for w in range(concurrency)))
    wall, cpu = time.perf_counter() - start, meter() - cpu0
    for c in pool:
        c.close()
    return ([r for lane_results in lanes for r in lane_results], wall, cpu,
            max(load0, os.getloadavg()[0]))


async def timed_get(conn, path, since, latencies, errors, check):
    """GET ``path`` on ``conn``: its latency counted from ``since``, a failure or an answer
    ``check`` refuses counted in ``errors``. Returns the connection to go on with (a new
    one after a failed connection; the failed request is not timed)."""
    try:
        status, _, body = await conn.request("GET", path)
    except (ConnectionError, asyncio.IncompleteReadError, OSError) as exc:
        errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        return Conn(conn.port)
    latencies.append(time.perf_counter() - since)
    if status != 200 or not check(body):
        errors[f"http {status}"] = errors.get(f"http {status}", 0) + 1
    return conn


async def closed_loop(port, paths, concurrency, seconds, check):
    latencies, errors = [], {}
    stop_at = time.perf_counter() + seconds
    rng = random.Random(7)

    async def worker():
        conn = Conn(port)
        while time.perf_counter() < stop_at:
            conn = await timed_get(conn, rng.choice(paths), time.perf_counter(), latencies,
                                   errors, check)
        conn.close()
    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sorted(latencies), errors, time.perf_counter() - start


async def fixed_rate(port, paths, rate, seconds, connections, check):
    """An open loop: request i is due at ``start + i / rate`` whatever the answers before
    it, sent on the first of ``connections`` keep-alive connections that is free, and its
    latency counts from when it was due (as wrk2 measures), so a server that falls behind
    is charged the wait of every request it delayed, not only of those it answered.
    Returns (sorted latencies, errors, wall seconds, requests sent)."""
    latencies, errors = [], {}
    rng = random.Random(11)
    total = int(rate * seconds)
    issued = 0
    start = time.perf_counter() + 0.05

    async def worker():
        nonlocal issued
        conn = Conn(port)
        while issued < total:
            due = start + issued / rate
            issued += 1
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            conn = await timed_get(conn, rng.choice(paths), due, latencies, errors, check)
        conn.close()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return sorted(latencies), errors, time.perf_counter() - start, issued
