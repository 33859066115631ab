#!/usr/bin/env python
"""What each piece of the push path costs: the hall with one piece replaced at a time,
alternated with the tutorial bot, in one process.

    .venv/bin/python bench/ablate_wechat.py [--messages 1500] [--rounds 2]

Calls the two WSGI apps directly (no HTTP, no gunicorn) with prepared environs of
distinct encrypted text messages, and prints the CPU time of this process per message
(all its threads) for: the bot (``bench/tutorial_bot.py``), the hall, and the hall with
its Redis round trip answered in memory, without its request line and counters, and
with handlers run on the request thread. Each difference to "hall" is what that piece
costs. A tool for the profile, not a benchmark: it writes nothing. Needs the local
PostgreSQL and Redis (db 12, emptied at the end).
"""
import argparse
import importlib.util
import io
import logging
import os
import sys
import time
from concurrent.futures import Future
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))
import harness  # noqa: E402
import wechat_load  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/12"


class Inline:
    def submit(self, fn, *args, **kwargs):
        future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=1500)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = p.parse_args()
    db_url, _, cleanup = harness.prepare_database(args.database_url, "hall_bench_ablate")
    os.environ.update(harness.server_env(db_url, REDIS_URL, 5000))
    try:
        run(args)
    finally:
        cleanup()
        import redis
        redis.Redis.from_url(REDIS_URL).flushdb()


def run(args):
    from wechat_hall import create_app
    from wechat_hall.extensions import db
    from wechat_hall.services import redis_batch
    from wechat_hall.services.wechat import followers, inbound
    from wechat_hall.simulator import push
    from wechat_hall.telemetry import web

    app = create_app()
    logging.getLogger().handlers[0].stream = open(os.devnull, "w")  # noqa: SIM115
    with app.app_context():
        db.create_all()
    os.environ.update(WECHAT_TOKEN=harness.TOKEN, WECHAT_APPID=harness.APPID,
                      WECHAT_AES_KEY=harness.AES_KEY)
    spec = importlib.util.spec_from_file_location("tutorial_bot", BENCH / "tutorial_bot.py")
    bot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bot)
    counter = [int(time.time()) * 10**9]

    def environ(new):
        counter[0] += 1
        k = counter[0]
        openid = f"o_ablate_new_{k}" if new else f"o_ablate_{k % 50:03d}"
        content = (wechat_load.KEYWORDS[k % len(wechat_load.KEYWORDS)][0] if k % 4
                   else f"你好 {k}")
        qs, body = push.sign(push.text_xml(openid, harness.TARGET, content, msg_id=k),
                             harness.TOKEN, harness.APPID, harness.AES_KEY)
        body = body.encode() if isinstance(body, str) else body
        return {"REQUEST_METHOD": "POST", "PATH_INFO": "/wechat", "QUERY_STRING": urlencode(qs),
                "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "text/xml",
                "wsgi.input": io.BytesIO(body), "SERVER_NAME": "bench", "SERVER_PORT": "80",
                "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1",
                "wsgi.errors": sys.stderr}

    def start_response(status, headers):
        if not status.startswith("200"):
            raise SystemExit(f"HTTP {status}")

    def cpu_ms(wsgi, n, new):
        envs = [environ(new) for _ in range(n)]
        c0 = time.process_time()
        for env in envs:
            b"".join(wsgi(env, start_response))
        return (time.process_time() - c0) / n * 1000

    real_execute, real_record, real_executor = (redis_batch.execute, web.record,
                                                inbound._executor)

    def in_memory(redis, commands, probes=()):
        first = [True] * len(commands)
        return first, [[0, [1, None]] if p.name == "cs.open" else [True] * len(p.commands)
                       for p in probes]

    variants = {
        "bot": (bot.app.wsgi_app, None, None),
        "hall": (app.wsgi_app, None, None),
        "hall, Redis answered in memory": (app.wsgi_app, (redis_batch, "execute", in_memory),
                                           None),
        "hall, no request line or counters": (app.wsgi_app,
                                              (web, "record", lambda *a, **k: "rid"), None),
        "hall, handlers on the request thread": (app.wsgi_app,
                                                 (inbound, "_executor", Inline()), None),
    }
    for new in (True, False):
        cpu_ms(app.wsgi_app, 300, new)
        cpu_ms(bot.app.wsgi_app, 300, new)
        results = {}
        for _ in range(args.rounds):
            for name, (wsgi, patch, _) in variants.items():
                if patch:
                    setattr(*patch)
                try:
                    results.setdefault(name, []).append(cpu_ms(wsgi, args.messages, new))
                finally:
                    redis_batch.execute, web.record = real_execute, real_record
                    inbound._executor = real_executor
        print("every sender new" if new else "the benchmark's mix")
        for name, values in results.items():
            print(f"  {name:40s} " + "  ".join(f"{v:.3f}" for v in values) + " ms CPU/msg")
    followers.flush_activity(app)
    redis_batch.flush_writers(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
