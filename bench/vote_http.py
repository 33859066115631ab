#!/usr/bin/env python
"""Ballots over HTTP for bench/vote_bench.py: gunicorn (``wsgi:app``) serves the real
ballot page; a separate process (this file run as a script: ``vote_http.py SPEC``) POSTs
one confirmed ballot per voter over keep-alive connections. The same requests go to the
baseline (``bench/bare_app.py``) right before and right after, on the same gunicorn
settings. Afterwards the ballots are counted and the receipt chain verified.
"""
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import harness
import machine
from vote_data import make_app, prepare_voters


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


def _summary(results, seconds, cpu):
    ok = [r for r in results if r[0] == 302 and r[2].endswith("/receipt?new=1")]
    errors = [r for r in results if not (r[0] == 302 and r[2].endswith("/receipt?new=1"))]
    latencies = sorted(r[1] for r in results)
    return {"requests": len(results), "ok": len(ok), "errors": len(errors),
            "error_sample": errors[:3], "seconds": seconds, "per_second": len(ok) / seconds,
            "p50": harness.percentile(latencies, 50) * 1000,
            "p99": harness.percentile(latencies, 99) * 1000,
            "cpu_ms": cpu * 1000 / max(len(results), 1)}


def bench_http(args, database_url, tmpdir):
    """The confirmed ballots through the real page, and the same requests against the
    baseline (``bench/bare_app.py``: parse the form, answer the receipt's 302) right
    before and right after, on the same gunicorn settings: ballots/s and server CPU per
    ballot, and both as ratios to the baseline."""
    app = make_app(database_url, args.redis_url)
    meeting_id, requests = prepare_voters(app, args.voters)
    warm, measured = requests[:200], requests[200:]
    port, bare_port = harness.free_port(), harness.free_port()
    env = harness.server_env(database_url, args.redis_url, port)
    settings = harness.gunicorn_settings(args)
    profiling = []
    if getattr(args, "yappi", None):  # each worker writes its CPU profile at exit
        os.makedirs(args.yappi, exist_ok=True)
        env["BENCH_YAPPI_DIR"] = os.path.abspath(args.yappi)
        profiling = ["--config", str(Path(__file__).resolve().parent / "gunicorn_yappi.py")]
    server = harness.Server("vote-app", [str(harness.GUNICORN), *profiling, *settings,
                                         "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                            env, port, "/healthz", tmpdir)
    bare = harness.Server("vote-bare", [str(harness.GUNICORN), *settings,
                                        "--bind", f"127.0.0.1:{bare_port}",
                                        "--chdir", str(harness.ROOT / "bench"), "bare_app:app"],
                          harness.server_env(database_url, args.redis_url, bare_port),
                          bare_port, "/bare", tmpdir)
    try:
        server.wait_ready()
        bare.wait_ready()

        def drive(target, name, batch):
            cpu_before = machine.cpu_seconds(target.proc.pid)
            spec = Path(tmpdir) / f"{name}.json"
            result = Path(tmpdir) / f"{name}.out.json"
            spec.write_text(json.dumps({"port": target.port, "requests": batch,
                                        "concurrency": args.concurrency, "out": str(result)}))
            subprocess.run([sys.executable, __file__, str(spec)], check=True, timeout=900)
            out = json.loads(result.read_text())
            return _summary(out["results"], out["seconds"],
                            machine.cpu_seconds(target.proc.pid) - cpu_before)

        drive(server, "warm", warm)
        drive(bare, "bare-warm", warm)
        bare_runs = [drive(bare, "bare-1", measured)]
        http = drive(server, "measured", measured)
        bare_runs.append(drive(bare, "bare-2", measured))
    finally:
        server.stop()
        bare.stop()

    from models import VoteBallot, VoteMeeting
    from wechat_hall.extensions import db
    from wechat_hall.services.voting import receipts
    with app.app_context():
        count = db.session.execute(db.select(db.func.count(VoteBallot.id)).filter_by(
            meeting_id=meeting_id)).scalar_one()
        chain = receipts.verify(meeting_id)
        assert db.session.get(VoteMeeting, meeting_id)
    base = {"per_second": sum(b["per_second"] for b in bare_runs) / len(bare_runs),
            "cpu_ms": sum(b["cpu_ms"] for b in bare_runs) / len(bare_runs),
            "p99": max(b["p99"] for b in bare_runs),
            "errors": sum(b["errors"] for b in bare_runs)}
    http.update(ballots_in_db=count, chain_ok=chain.ok, chain_ballots=chain.ballots,
                settings=" ".join(settings), bare=base,
                ratio=http["per_second"] / base["per_second"],
                cpu_ratio=http["cpu_ms"] / base["cpu_ms"] if base["cpu_ms"] else float("nan"))
    return http


if __name__ == "__main__":
    load_worker(sys.argv[1])
