#!/usr/bin/env python
"""Where one ``POST /wechat`` spends its time, without gunicorn or concurrency.

    .venv/bin/python bench/profile_wechat.py [--messages 2000] [--profile] [--sqlite]
        [--new-senders]

Sends distinct encrypted text messages one after another through the Flask test client
of the real app (PostgreSQL ``hall_bench`` + Redis db 14, as bench/wechat_throughput.py
sets them up, or SQLite + fakeredis with ``--sqlite``), prints the mean time per message,
and with ``--profile`` a pyinstrument profile (``pip install pyinstrument`` first; it is
a tool, not a dependency of the project). Cleans up its database and Redis keys.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import wechat_load  # noqa: E402
import wechat_throughput  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--profile", action="store_true", help="pyinstrument, as a call tree")
    p.add_argument("--cprofile", action="store_true", help="cProfile, by own time")
    p.add_argument("--sqlite", action="store_true", help="SQLite file + fakeredis instead")
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    p.add_argument("--app-root", default=str(harness.ROOT))
    p.add_argument("--interval", type=float, default=0.0005, help="pyinstrument interval")
    p.add_argument("--inline", action="store_true",
                   help="run handlers on the request thread (inbound._executor replaced by "
                        "an inline one) so the profile shows them; also shows the hop's cost")
    p.add_argument("--new-senders", action="store_true",
                   help="every message from an openid never seen before, as on a real account")
    args = p.parse_args()

    app_root = Path(args.app_root).resolve()
    sys.path.insert(0, str(app_root))
    cleanup = None
    tmp = tempfile.mkdtemp(prefix="wechat_profile_")
    if args.sqlite:
        database_url, redis_url = f"sqlite:///{tmp}/hall.db", ""
    else:
        database_url, _, cleanup = harness.prepare_database(args.database_url, "hall_bench_profile")
        redis_url = args.redis_url
    os.environ.update(harness.server_env(database_url, redis_url, 5000))
    run_base = int(time.time()) * 10**9 + 5 * 10**8
    load = None
    try:
        from wechat_hall import create_app
        from wechat_hall.extensions import db
        from wechat_hall.simulator import push

        app = create_app()
        if args.inline:
            from concurrent.futures import Future

            from wechat_hall.services.wechat import inbound

            class Inline:
                def submit(self, fn, *a, **kw):
                    f = Future()
                    try:
                        f.set_result(fn(*a, **kw))
                    except BaseException as exc:  # noqa: BLE001
                        f.set_exception(exc)
                    return f
            inbound._executor = Inline()
        with app.app_context():
            db.create_all()
        client = app.test_client()
        load = wechat_load.Load({"run_base": run_base, "seed": 1, "concurrency": 1,
                        "progress": f"{tmp}/progress", "targets": {}})

        def requests(n):
            out = []
            for k in range(n):
                openid = (f"o_prof_new_{load.counter}" if args.new_senders
                          else f"o_prof_{k % 50:03d}")
                content, expect = wechat_load.KEYWORDS[k % len(wechat_load.KEYWORDS)] if k % 4 else \
                    (f"你好 {k}", wechat_load.OTHER_EXPECT)
                xml = push.text_xml(openid, harness.TARGET, content, msg_id=run_base + load.counter)
                load.counter += 1
                out.append((push.sign(xml, harness.TOKEN, harness.APPID, harness.AES_KEY), expect))
            return out

        def send(batch):
            for (qs, body), expect in batch:
                r = client.post("/wechat", query_string=qs, data=body, content_type="text/xml")
                if r.status_code != 200:
                    raise SystemExit(f"HTTP {r.status_code}: {r.get_data(as_text=True)}")
                reply = push.open_reply(r.get_data(as_text=True), harness.TOKEN, harness.APPID,
                                        harness.AES_KEY) if expect else ""
                if expect and expect not in reply:
                    raise SystemExit(f"unexpected reply: {reply}")

        send(requests(200))  # warm-up: first rows, caches, connections
        batch = requests(args.messages)
        # Timed without checking (decrypting) the replies: only what the server does.
        batch = [(req, None) for req, _ in batch]
        profiler = None
        if args.profile:
            from pyinstrument import Profiler
            profiler = Profiler(interval=args.interval)
            profiler.start()
        elif args.cprofile:
            import cProfile
            profiler = cProfile.Profile()
            profiler.enable()
        t0, c0 = time.perf_counter(), time.process_time()
        send(batch)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if args.cprofile:
            profiler.disable()
        elif profiler:
            profiler.stop()
        print(f"{args.messages} messages: {wall / args.messages * 1000:.2f} ms each "
              f"(CPU of this process {cpu / args.messages * 1000:.2f} ms), "
              f"{args.messages / wall:.0f} msgs/s on one thread", flush=True)
        if args.cprofile:
            import pstats
            pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(70)
        elif profiler:
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        # What the process holds for the database (follower activity, queued Redis
        # writes) is written before the database is dropped, not at exit into nothing.
        from wechat_hall.services import redis_batch
        from wechat_hall.services.wechat import followers
        followers.flush_activity(app)
        redis_batch.flush_writers(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        if cleanup:
            cleanup()
            wechat_throughput.redis_cleanup(args.redis_url, run_base, load.counter if load else 0)


if __name__ == "__main__":
    main()
