#!/usr/bin/env python
"""Throughput of ``POST /wechat`` against the tutorial wechatpy bot on the same gunicorn.

    .venv/bin/python bench/wechat_throughput.py [--duration 15] [--concurrency 50]
        [--modes new,mix] [--database-url postgresql://postgres@127.0.0.1:5432/test]
        [--redis-url redis://127.0.0.1:6379/14] [--workers 2] [--threads 8]
        [--rounds 2] [--no-write]

What it does, all on 127.0.0.1 and bounded in time:

1. Creates a database ``hall_bench`` next to the one named by ``--database-url`` (or,
   without the right to create databases, a schema ``hall_bench`` in it) and creates the
   app's tables there with ``db.create_all()``.
2. Starts two gunicorn servers with identical settings on free ports: the real app
   (``wsgi:app``, safe mode: WECHAT_AES_KEY set, real PostgreSQL and Redis) and
   ``bench/tutorial_bot.py``, the ~40-line bot of the wechatpy tutorials (signature,
   decrypt, parse, the same keywords answered with a fixed text and link, encrypt; no
   database, no Redis).
3. Runs the load from a separate process (``--load-worker``): ``--concurrency``
   keep-alive HTTP/1.1 connections (plain asyncio streams, no client library), each
   sending its next request as soon as the previous answer arrived. Every request is a
   distinct text message (own MsgId, fresh timestamp and nonce), encrypted and signed by
   ``wechat_hall.simulator.push.sign`` exactly as WeChat does. Mode ``new`` (the
   headline: what a real account sees) sends every message from an openid never seen
   before; mode ``mix`` reuses 4 senders per connection. Requests are built before each
   measured window, and replies are checked after it (status 200, the reply decrypts,
   is a text reply to the sender, and says what the keyword asks for), so the load
   process spends its CPU on HTTP only while it measures.
4. Per mode, alternates app, bot, app, bot … (``--rounds``), each with a warm-up, and
   writes msgs/s, p50/p99 latency, errors, server CPU per message, the machine's load
   and the ratio app ÷ bot to docs/BENCHMARKS.md.
5. Stops both servers, drops the bench database (or schema) and deletes the Redis keys
   its messages created.
"""
import argparse
import fcntl
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import (BENCH, BENCH_DB, DOC, ROOT, TARGET, Server, create_schema, free_port,
                     gunicorn_settings, prepare_database, server_env)
from machine import app_revision, machine_info
from wechat_load import Load
from wechat_report import render_console, summarize, write_doc


def run(args):
    venv_bin = Path(sys.executable).parent
    gunicorn = venv_bin / "gunicorn"
    if not gunicorn.exists():
        sys.exit(f"gunicorn not found next to {sys.executable}")
    per_phase = args.warmup + args.duration
    hard_limit = int(180 + len(args.modes) * args.rounds * 2 * (per_phase + 45))

    def on_alarm(signum, frame):
        raise TimeoutError(f"benchmark exceeded its {hard_limit}s limit")

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.alarm(hard_limit)

    lock = open(Path(tempfile.gettempdir()) / "wechat_throughput.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit("another wechat_throughput run is in progress (it would share "
                 f"{BENCH_DB} and the machine's CPUs); try again when it has finished")
    servers, cleanups, failed = [], [], True
    run_base = int(time.time()) * 10**9  # MsgIds run_base, run_base+1, …: unique per run
    log_dir = tempfile.mkdtemp(prefix="wechat_bench_")
    progress = Path(log_dir) / "progress"
    result_path = Path(log_dir) / "result.json"
    result = None
    try:
        database_url, db_desc, drop = prepare_database(args.database_url)
        cleanups.append(("database", drop))
        app_root = Path(args.app_root).resolve()
        ntables = create_schema(app_root, database_url, args.redis_url)
        print(f"bench database ready: {db_desc}, {ntables} tables", file=sys.stderr)
        info = machine_info(database_url, args.redis_url)
        info["app"] = app_revision(app_root)

        app_port, bot_port = free_port(), free_port()
        settings = gunicorn_settings(args)
        app_env = server_env(database_url, args.redis_url, app_port)
        profiling = []
        if args.yappi:
            Path(args.yappi).mkdir(parents=True, exist_ok=True)
            app_env["BENCH_YAPPI_DIR"] = str(Path(args.yappi).resolve())
            profiling = ["--config", str(BENCH / "gunicorn_yappi.py")]
        servers.append(Server(
            "app", [str(gunicorn), *settings, *profiling, "--bind", f"127.0.0.1:{app_port}",
                    "--chdir", str(app_root), "wsgi:app"],
            app_env, app_port, "/wechat", log_dir))
        servers.append(Server(
            "bot", [str(gunicorn), *settings, "--bind", f"127.0.0.1:{bot_port}",
                    "--chdir", str(BENCH), "tutorial_bot:app"],
            server_env(database_url, args.redis_url, bot_port), bot_port, "/wechat",
            log_dir))
        for s in servers:
            s.wait_ready()
        print(f"servers up: app :{app_port}, bot :{bot_port} ({' '.join(settings)})",
              file=sys.stderr)

        config = {
            "targets": {"app": {"port": app_port, "path": "/wechat",
                                "pid": servers[0].proc.pid},
                        "bot": {"port": bot_port, "path": "/wechat",
                                 "pid": servers[1].proc.pid}},
            "concurrency": args.concurrency, "duration": args.duration,
            "warmup": args.warmup, "rounds": args.rounds, "run_base": run_base,
            "modes": args.modes,
            "progress": str(progress), "result": str(result_path), "seed": args.seed,
        }
        cleanups.append(("redis", lambda: _redis_cleanup_from(progress, args.redis_url,
                                                              run_base)))
        budget = len(args.modes) * args.rounds * 2 * (per_phase + 40) + 60
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--load-worker",
                               json.dumps(config)], cwd=ROOT, timeout=budget)
        if proc.returncode:
            raise RuntimeError(f"load process failed ({proc.returncode})")
        result = json.loads(result_path.read_text())
        for s in servers:
            if s.proc.poll() is not None:
                raise RuntimeError(f"{s.name} died during the run:\n{s.log_tail()}")
        app_errors = [line for line in servers[0].log_tail(20000).splitlines()
                      if "Traceback" in line or " ERROR " in line]
        result["server_log_errors"] = len(app_errors)
        failed = False
    finally:
        signal.alarm(0)
        for s in servers:
            try:
                s.stop()
            except Exception as exc:  # noqa: BLE001
                print(f"could not stop {s.name}: {exc}", file=sys.stderr)
        for name, fn in reversed(cleanups):
            try:
                out = fn()
                if name == "redis":
                    print(f"redis: deleted {out} de-duplication keys", file=sys.stderr)
            except Exception as exc:  # noqa: BLE001
                print(f"cleanup of {name} failed: {exc}", file=sys.stderr)
        if failed:
            print(f"server logs kept in {log_dir}", file=sys.stderr)
        else:
            shutil.rmtree(log_dir, ignore_errors=True)
    summary = summarize(result, args, info, db_desc)
    print(render_console(summary))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    if not args.no_write:
        write_doc(summary)
        print(f"wrote {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 1 if args.check and not summary["targets_met"] else 0


def _redis_cleanup_from(progress, redis_url, run_base):
    try:
        count = int(progress.read_text().strip() or 0)
    except (OSError, ValueError):
        count = 0
    return redis_cleanup(redis_url, run_base, count)


def redis_cleanup(redis_url, run_base, count):
    """Delete the de-duplication keys the app stored for our MsgIds."""
    import hashlib

    import redis
    r = redis.Redis.from_url(redis_url, socket_timeout=5)
    deleted = 0
    pipe = r.pipeline(transaction=False)
    for i in range(count):
        ident = f"m:{run_base + i}"
        pipe.unlink("wechat:push:" + hashlib.sha1(f"{TARGET}:{ident}".encode()).hexdigest())
        if len(pipe) >= 2000:
            deleted += sum(pipe.execute())
    if len(pipe):
        deleted += sum(pipe.execute())
    r.close()
    return deleted


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=12, help="measured seconds per window")
    p.add_argument("--warmup", type=float, default=3, help="warm-up seconds per window")
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--rounds", type=int, default=2, help="app/bot alternations per mode")
    p.add_argument("--modes", default="new,mix", type=lambda v: [m for m in v.split(",") if m],
                   help="new: every message from a new sender (the headline); mix: 4 "
                        "senders per connection, reused")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (both servers)")
    p.add_argument("--threads", type=int, default=8, help="gthread threads per worker")
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--app-root", default=str(ROOT),
                   help="checkout whose wsgi:app is measured (default: this one)")
    p.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    p.add_argument("--check", action="store_true",
                   help="exit with status 1 unless all three targets are met")
    p.add_argument("--json", metavar="FILE", help="also write the summary as JSON")
    p.add_argument("--yappi", metavar="DIR",
                   help="profile the app's workers (CPU, all threads) into DIR/*.pstat; "
                        "implies --no-write (needs `pip install yappi`)")
    p.add_argument("--load-worker", metavar="CONFIG", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.yappi:
        args.no_write = True
    if args.load_worker:
        Load(json.loads(args.load_worker)).run()
        return 0
    if set(args.modes) - {"new", "mix"} or not args.modes:
        p.error("--modes: new, mix or both")
    if not (0 < args.duration <= 300 and 0 < args.warmup <= 60 and 1 <= args.rounds <= 5
            and 1 <= args.concurrency <= 1000):
        p.error("duration ≤ 300 s, warm-up ≤ 60 s, 1–5 rounds, 1–1000 connections")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
