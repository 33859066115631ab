#!/usr/bin/env python
"""Throughput of ``POST /wechat`` against a bare Flask endpoint on the same gunicorn.

    .venv/bin/python bench/wechat_throughput.py [--duration 15] [--concurrency 50]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]
        [--redis-url redis://127.0.0.1:6379/14] [--workers 2] [--threads 8]
        [--rounds 2] [--no-write]

What it does, all on 127.0.0.1 and bounded in time:

1. Creates a database ``hall_bench`` next to the one named by ``--database-url`` (or,
   without the right to create databases, a schema ``hall_bench`` in it) and creates the
   app's tables there with ``db.create_all()``.
2. Starts two gunicorn servers with identical settings on free ports: the real app
   (``wsgi:app``, safe mode: WECHAT_AES_KEY set, real PostgreSQL and Redis) and
   ``bench/bare_app.py`` (one Flask view that reads the body and returns a small XML).
3. Runs the load from a separate process (``--load-worker``): ``--concurrency``
   keep-alive HTTP/1.1 connections (plain asyncio streams, no client library), each
   sending its next request as soon as the previous answer arrived. Every request to
   ``/wechat`` is a distinct text message (own MsgId, fresh timestamp and nonce),
   encrypted and signed by ``wechat_hall.simulator.push.sign`` exactly as WeChat does;
   the bare endpoint gets the same kind of request. Requests are built before each
   measured window, and replies are checked after it (status 200, the reply decrypts,
   is a text reply to the sender, and says what the keyword asks for), so the load
   process spends its CPU on HTTP only while it measures.
4. Alternates app, bare, app, bare … (``--rounds``), each with a warm-up, and writes
   msgs/s, p50/p99 latency, errors and the ratio app ÷ bare to docs/BENCHMARKS.md.
5. Stops both servers, drops the bench database (or schema) and deletes the Redis keys
   its messages created.
"""
import argparse
import asyncio
import fcntl
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DOC = ROOT / "docs" / "BENCHMARKS.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DB = "hall_bench"
APPID = "wxbench000000001"
SECRET = "benchsecret00000000000000000000b"
TOKEN = "benchtoken"
AES_KEY = "benchAESkey0123456789abcdefghijklmnopqrstuv"  # 43 characters
TARGET = "gh_benchaccount"
APOLOGY_MARK = "系统繁忙"

# (what the user sends, what the reply must mention)
KEYWORDS = [("我想预约", "业务预约"), ("投票", "网络投票"), ("排号", "排号进度查询"),
            ("查询余额", "证券持有余额"), ("绑定", "账户绑定"), ("客服", "在线客服")]
OTHER_TEXT = ("你好", "请问", "在吗", "谢谢", "hello", "ok")
OTHER_EXPECT = "您好，这里是中国结算营业厅"
KEYWORD_SHARE = 0.75
OPENIDS_PER_CONNECTION = 4

BEGIN = "<!-- bench:wechat_throughput:begin -->"
END = "<!-- bench:wechat_throughput:end -->"


# ---------------------------------------------------------------------------------
# Orchestrator: database, servers, load process, report
# ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(base_url, name=BENCH_DB):
    """A clean place for the app's tables. Returns ``(url, description, cleanup)``."""
    import psycopg2
    from sqlalchemy.engine import make_url

    base = make_url(base_url)

    def connect(dbname):
        conn = psycopg2.connect(host=base.host or "127.0.0.1", port=base.port or 5432,
                                user=base.username, password=base.password, dbname=dbname)
        conn.autocommit = True
        return conn

    def drop_database():
        conn = connect(base.database)
        try:
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            conn.close()

    conn = connect(base.database)
    try:
        with conn.cursor() as cur:
            try:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cur.execute(f'CREATE DATABASE "{name}"')
            except psycopg2.Error as exc:
                print(f"cannot create database {name} ({exc.pgerror or exc}); "
                      f"using schema {name} in {base.database}", file=sys.stderr)
            else:
                url = base.set(database=name).render_as_string(hide_password=False)
                return url, f"database `{name}` (created and dropped by the run)", \
                    drop_database
            cur.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            cur.execute(f'CREATE SCHEMA "{name}"')
    finally:
        conn.close()

    def drop_schema():
        c = connect(base.database)
        try:
            with c.cursor() as cur:
                cur.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        finally:
            c.close()

    url = base.update_query_dict({"options": f"-csearch_path={name}"})
    return (url.render_as_string(hide_password=False),
            f"schema `{name}` in database `{base.database}` (created and dropped)",
            drop_schema)


def create_schema(app_root, database_url, redis_url):
    """``db.create_all()`` for the real app, in a child so this process stays small."""
    code = (
        "from wechat_hall import create_app\n"
        "from wechat_hall.extensions import db\n"
        "import sys\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': sys.argv[1], 'REDIS_URL': sys.argv[2]})\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    print(len(db.metadata.tables))\n"
        "    db.engine.dispose()\n"
    )
    out = subprocess.run([sys.executable, "-c", code, database_url, redis_url],
                         cwd=app_root, env=server_env(database_url, redis_url, 0),
                         capture_output=True, text=True, timeout=120)
    if out.returncode:
        raise RuntimeError("create_all failed:\n" + out.stderr[-3000:])
    return int(out.stdout.strip().splitlines()[-1])


def server_env(database_url, redis_url, port):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WECHAT_", "HALL_TEST_")) and k not in (
               "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PUBLIC_BASE_URL", "PORT")}
    env.update(
        DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY="bench-" + "0" * 58,
        WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_TOKEN=TOKEN,
        WECHAT_AES_KEY=AES_KEY, SIMULATOR_ENABLED="1",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", PORT=str(port), PYTHONUNBUFFERED="1",
    )
    return env


def gunicorn_settings(args):
    return ["--workers", str(args.workers), "--worker-class", "gthread",
            "--threads", str(args.threads), "--log-level", "warning"]


class Server:
    def __init__(self, name, argv, env, port, ready_path, log_dir):
        self.name, self.port, self.ready_path = name, port, ready_path
        self.log_path = Path(log_dir) / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n"
                                   + self.log_tail())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                    s.sendall(f"GET {self.ready_path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Connection: close\r\n\r\n".encode())
                    if s.recv(64).startswith(b"HTTP/1.1 "):
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {timeout}s:\n"
                           + self.log_tail())

    def log_tail(self, n=3000):
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            workers = _children(self.proc.pid)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                for pid in [self.proc.pid, *workers]:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.proc.wait(timeout=10)
        self._log.close()


def _children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            kids.append(int(entry))
    return kids


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


def app_revision(app_root):
    """Which code was measured (read-only git commands)."""
    def git(*argv):
        return subprocess.run(["git", "-C", str(app_root), *argv], capture_output=True,
                              text=True, timeout=20)
    try:
        head = git("rev-parse", "--short", "HEAD")
        if head.returncode:
            return f"`{app_root}` (not a git checkout)"
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
        return f"commit {head.stdout.strip()}" + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def machine_info(database_url, redis_url):
    info = {"date": subprocess.run(["date"], capture_output=True, text=True).stdout.strip(),
            "nproc": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        info["nproc"] = int(subprocess.run(["nproc"], capture_output=True,
                                           text=True).stdout.strip())
    except (OSError, ValueError):
        pass
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M).group(1).strip()
    except (OSError, AttributeError):
        info["cpu"] = "unknown"
    try:
        kb = int(re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(),
                           re.M).group(1))
        info["memory"] = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        info["memory"] = "unknown"
    info["kernel"] = os.uname().release
    try:
        import psycopg2
        from sqlalchemy.engine import make_url
        u = make_url(database_url)
        with psycopg2.connect(host=u.host, port=u.port or 5432, user=u.username,
                              password=u.password, dbname=u.database) as c:
            with c.cursor() as cur:
                cur.execute("SHOW server_version")
                info["postgresql"] = cur.fetchone()[0]
        c.close()
    except Exception as exc:  # noqa: BLE001  (informational only)
        info["postgresql"] = f"unknown ({exc})"
    try:
        import redis
        r = redis.Redis.from_url(redis_url, socket_timeout=5)
        info["redis"] = r.info("server")["redis_version"]
        r.close()
    except Exception as exc:  # noqa: BLE001
        info["redis"] = f"unknown ({exc})"
    from importlib import metadata
    for dist in ("flask", "gunicorn"):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = "?"
    return info


def run(args):
    venv_bin = Path(sys.executable).parent
    gunicorn = venv_bin / "gunicorn"
    if not gunicorn.exists():
        sys.exit(f"gunicorn not found next to {sys.executable}")
    per_phase = args.warmup + args.duration
    hard_limit = int(180 + args.rounds * 2 * (per_phase + 45))

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

        app_port, bare_port = free_port(), free_port()
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
            "bare", [str(gunicorn), *settings, "--bind", f"127.0.0.1:{bare_port}",
                     "--chdir", str(BENCH), "bare_app:app"],
            server_env(database_url, args.redis_url, bare_port), bare_port, "/bare",
            log_dir))
        for s in servers:
            s.wait_ready()
        print(f"servers up: app :{app_port}, bare :{bare_port} ({' '.join(settings)})",
              file=sys.stderr)

        config = {
            "targets": {"app": {"port": app_port, "path": "/wechat",
                                "pid": servers[0].proc.pid},
                        "bare": {"port": bare_port, "path": "/bare",
                                 "pid": servers[1].proc.pid}},
            "concurrency": args.concurrency, "duration": args.duration,
            "warmup": args.warmup, "rounds": args.rounds, "run_base": run_base,
            "progress": str(progress), "result": str(result_path), "seed": args.seed,
        }
        cleanups.append(("redis", lambda: _redis_cleanup_from(progress, args.redis_url,
                                                              run_base)))
        budget = args.rounds * 2 * (per_phase + 40) + 60
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


# ---------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------

def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return sorted_values[k]


def summarize(result, args, info, db_desc):
    phases = result["phases"]
    totals = {}
    for target in ("app", "bare"):
        mine = [p for p in phases if p["target"] == target]
        lat = sorted(x for p in mine for x in p["latencies"])
        seconds = sum(p["seconds"] for p in mine)
        done = sum(p["completed"] for p in mine)
        totals[target] = {
            "completed": done, "seconds": seconds, "rate": done / seconds if seconds else 0,
            "p50_ms": percentile(lat, 50) * 1000, "p99_ms": percentile(lat, 99) * 1000,
            "max_ms": (lat[-1] * 1000) if lat else float("nan"),
            "errors": sum(p["errors"] for p in mine),
            "checked": sum(p["checked"] for p in mine),
            "error_kinds": _merge([p["error_kinds"] for p in mine]),
            "live_generated": sum(p["live_generated"] for p in mine),
        }
    for target in ("app", "bare"):
        mine = [p for p in phases if p["target"] == target]
        cpu = sum(p["server_cpu"] * p["seconds"] for p in mine)
        done = totals[target]["completed"]
        totals[target]["server_ms_per_req"] = cpu / done * 1000 if done else float("nan")
    ratio = totals["app"]["rate"] / totals["bare"]["rate"] if totals["bare"]["rate"] else 0
    app = totals["app"]
    targets = {"ratio >= 0.7": ratio >= 0.7, "p99 < 100 ms": app["p99_ms"] < 100,
               "0 errors": app["errors"] == 0 and totals["bare"]["errors"] == 0}
    rows = []
    for p in phases:
        lat = sorted(p["latencies"])
        rows.append({
            "target": p["target"], "round": p["round"], "completed": p["completed"],
            "rate": p["completed"] / p["seconds"], "p50_ms": percentile(lat, 50) * 1000,
            "p99_ms": percentile(lat, 99) * 1000, "errors": p["errors"],
            "client_cpu": p["client_cpu"], "server_cpu": p["server_cpu"],
            "machine_busy": p["machine_busy"],
            "server_ms_per_req": (p["server_cpu"] * p["seconds"] / p["completed"] * 1000
                                  if p["completed"] else float("nan")),
        })
    return {"info": info, "db": db_desc, "redis_url": args.redis_url,
            "settings": " ".join(gunicorn_settings(args)), "concurrency": args.concurrency,
            "duration": args.duration, "warmup": args.warmup, "rounds": args.rounds,
            "totals": totals, "ratio": ratio, "targets": targets,
            "targets_met": all(targets.values()), "rows": rows,
            "server_log_errors": result.get("server_log_errors", 0)}


def _merge(dicts):
    out = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return out


def render_console(s):
    t = s["totals"]
    lines = [f"{'target':6} {'round':>5} {'done':>7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
             f"{'err':>4} {'client':>6} {'server':>6} {'ms/req':>6} {'busy':>5}"]
    for r in s["rows"]:
        lines.append(f"{r['target']:6} {r['round']:>5} {r['completed']:>7} {r['rate']:>8.1f} "
                     f"{r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['errors']:>4} "
                     f"{r['client_cpu']:>6.2f} {r['server_cpu']:>6.2f} "
                     f"{r['server_ms_per_req']:>6.2f} {r['machine_busy']:>5.0%}")
    for name in ("app", "bare"):
        x = t[name]
        lines.append(f"{name:6} {'all':>5} {x['completed']:>7} {x['rate']:>8.1f} "
                     f"{x['p50_ms']:>7.1f} {x['p99_ms']:>7.1f} {x['errors']:>4} "
                     f"{'':>6} {'':>6} {x['server_ms_per_req']:>6.2f}"
                     + (f"  {x['error_kinds']}" if x["error_kinds"] else ""))
    lines.append(f"ratio app/bare = {s['ratio']:.3f}; targets: "
                 + ", ".join(f"{k}: {'met' if v else 'NOT met'}"
                             for k, v in s["targets"].items()))
    return "\n".join(lines)


def render_doc(s):
    i, t = s["info"], s["totals"]
    yes = lambda ok: "met" if ok else "**not met**"  # noqa: E731
    app, bare = t["app"], t["bare"]
    out = [
        BEGIN,
        "## WeChat push throughput (`bench/wechat_throughput.py`)",
        "",
        "Encrypted (safe-mode) text messages POSTed to the real app's `/wechat`, against a",
        "bare Flask endpoint (`bench/bare_app.py`) on the same gunicorn settings, in the",
        "same run. Each message is distinct (own MsgId, fresh timestamp and nonce), built by",
        "`wechat_hall.simulator.push.sign`; every reply is decrypted and checked.",
        "",
        f"- Date: {i['date']}",
        f"- Machine: {i['nproc']} cores ({i['cpu']}), {i['memory']} memory, Linux "
        f"{i['kernel']}; Python {i['python']}, Flask {i.get('flask', '?')}, "
        f"gunicorn {i.get('gunicorn', '?')}",
        f"- Code measured: {i.get('app', 'unknown')}",
        f"- gunicorn (both servers): `{s['settings']}`",
        f"- Database: PostgreSQL {i['postgresql']} on 127.0.0.1, {s['db']}; "
        f"Redis {i['redis']} at `{s['redis_url']}`",
        f"- Load: one separate process, {s['concurrency']} keep-alive connections "
        f"(asyncio streams, closed loop), {s['warmup']:g} s warm-up + {s['duration']:g} s "
        f"measured per window, app and bare alternated {s['rounds']}×; "
        f"{int(KEYWORD_SHARE * 100)} % keyword messages (预约, 投票, 排号, 查询, 绑定, 客服), "
        "the rest other text",
        "",
        "| target | requests | req/s | p50 ms | p99 ms | max ms | errors | server CPU ms/req |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, x in (("`/wechat` (app)", app), ("`/bare` (baseline)", bare)):
        out.append(f"| {name} | {x['completed']} | {x['rate']:.1f} | {x['p50_ms']:.1f} | "
                   f"{x['p99_ms']:.1f} | {x['max_ms']:.1f} | {x['errors']} | "
                   f"{x['server_ms_per_req']:.2f} |")
    out += [
        "",
        f"**Ratio app ÷ bare: {s['ratio']:.3f}**",
        "",
        "| target | ratio ≥ 0.7 | p99 < 100 ms at "
        f"{s['concurrency']} connections | 0 errors |",
        "| --- | --- | --- | --- |",
        f"| result | {yes(s['targets']['ratio >= 0.7'])} ({s['ratio']:.2f}) | "
        f"{yes(s['targets']['p99 < 100 ms'])} ({app['p99_ms']:.1f} ms) | "
        f"{yes(s['targets']['0 errors'])} ({app['errors']} + {bare['errors']}) |",
        "",
        f"The load process used at most {max(r['client_cpu'] for r in s['rows']):.2f} of "
        "the one core it can use, so it "
        + ("was not the bottleneck." if max(r["client_cpu"] for r in s["rows"]) < 0.8 else
           "**may have limited the baseline**: the ratio is then too high."),
        "",
        "Per window. CPU is in cores busy on average over the window: the load process, the",
        "server's gunicorn processes, and the rest of the machine (PostgreSQL, Redis, the",
        "kernel, and anything else running at the time); *server ms/req* is gunicorn CPU time",
        "per request.",
        "",
        "| window | target | requests | req/s | p50 ms | p99 ms | errors | server ms/req | "
        "load CPU | server CPU | rest |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, r in enumerate(s["rows"], 1):
        rest = r["machine_busy"] * i["nproc"] - r["client_cpu"] - r["server_cpu"]
        out.append(f"| {n} | {r['target']} | {r['completed']} | {r['rate']:.1f} | "
                   f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | "
                   f"{r['server_ms_per_req']:.2f} | {r['client_cpu']:.2f} | "
                   f"{r['server_cpu']:.2f} | {max(0.0, rest):.2f} |")
    if app["error_kinds"] or bare["error_kinds"]:
        out += ["", f"Errors by kind: app {app['error_kinds']}, bare {bare['error_kinds']}."]
    if s.get("server_log_errors"):
        out += ["", f"The app's log had {s['server_log_errors']} traceback or ERROR lines "
                "during the run."]
    if app["live_generated"] or bare["live_generated"]:
        out += ["", f"Note: {app['live_generated'] + bare['live_generated']} requests had to "
                "be built during a measured window (more than were prepared)."]
    out += [
        "",
        "Run it (about "
        f"{s['rounds'] * 2 * (s['warmup'] + s['duration']) + 40:.0f} s; needs the local "
        "PostgreSQL and Redis):",
        "",
        "```sh",
        ".venv/bin/python bench/wechat_throughput.py --duration "
        f"{s['duration']:g} --concurrency {s['concurrency']}",
        "```",
        "",
        "Options: `--database-url` (default `postgresql://postgres@127.0.0.1:5432/test`; "
        f"the run creates and drops `{BENCH_DB}` beside it), `--redis-url` (default "
        "`redis://127.0.0.1:6379/14`; the run deletes the keys its messages created), "
        "`--workers`, `--threads`, `--rounds`, `--warmup`, `--no-write`, `--json FILE`, "
        "`--check` (exit status 1 unless all three targets are met), `--yappi DIR` "
        "(profile the app's workers; does not write this file). "
        "`bench/profile_wechat.py` profiles one message at a time through the test client.",
        END,
    ]
    return "\n".join(out) + "\n"


def write_doc(summary):
    section = render_doc(summary)
    DOC.parent.mkdir(parents=True, exist_ok=True)
    if DOC.exists():
        text = DOC.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            tail = rest.split(END, 1)[1].lstrip("\n")
            DOC.write_text(head + section + ("\n" + tail if tail else ""))
            return
        DOC.write_text(text.rstrip("\n") + "\n\n" + section)
        return
    DOC.write_text("# Benchmarks\n\nFigures written by the scripts in `bench/` "
                   "(ENGINEERING.md §7): each measured against a baseline in the same run, "
                   "with the machine and the date.\n\n" + section)


# ---------------------------------------------------------------------------------
# Load process
# ---------------------------------------------------------------------------------

class Load:
    """The separate load process: builds requests, drives the connections, checks."""

    def __init__(self, config):
        self.c = config
        self.rng = random.Random(config["seed"])
        self.counter = 0
        self.progress = Path(config["progress"])

    # -- requests ------------------------------------------------------------------

    def build(self, target, conn_index, seq):
        from wechat_hall.simulator import push
        msg_id = self.c["run_base"] + self.counter
        self.counter += 1
        # Keyword senders and free-text senders are different people: free text opens a
        # customer-service conversation (CS-2), and while one is open everything its
        # sender types, keywords included, belongs to that conversation.
        if self.rng.random() < KEYWORD_SHARE:
            content, expect = self.rng.choice(KEYWORDS)
            openid = f"o_bench_kw_{conn_index:03d}_{seq % OPENIDS_PER_CONNECTION}"
        else:
            content, expect = (f"{self.rng.choice(OTHER_TEXT)} {secrets.token_hex(3)}",
                               OTHER_EXPECT)
            openid = f"o_bench_cs_{conn_index:03d}_{seq % OPENIDS_PER_CONNECTION}"
        xml = push.text_xml(openid, TARGET, content, msg_id=msg_id)
        args, body = push.sign(xml, TOKEN, APPID, AES_KEY)
        spec = self.c["targets"][target]
        body = body.encode()
        raw = (f"POST {spec['path']}?{urlencode(args)} HTTP/1.1\r\n"
               f"Host: 127.0.0.1:{spec['port']}\r\nContent-Type: text/xml\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        return raw, openid, expect

    def prepare(self, target, count):
        per = max(1, math.ceil(count / self.c["concurrency"]))
        batches = [[self.build(target, i, k) for k in range(per)]
                   for i in range(self.c["concurrency"])]
        self.progress.write_text(str(self.counter))
        return batches

    # -- one window ------------------------------------------------------------------

    async def window(self, target, batches, seconds, record):
        port = self.c["targets"][target]["port"]
        state = {"live": 0, "errors": {}}
        results = []  # (request meta, status, body) for checking afterwards
        latencies = []
        start = time.perf_counter()
        stop_at = start + seconds

        def error(kind):
            state["errors"][kind] = state["errors"].get(kind, 0) + 1

        async def connection(index):
            queue = batches[index]
            pos = 0
            reader = writer = None
            while True:
                now = time.perf_counter()
                if now >= stop_at:
                    break
                if pos < len(queue):
                    req = queue[pos]
                else:
                    req = self.build(target, index, pos)
                    state["live"] += 1
                pos += 1
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    t0 = time.perf_counter()
                    writer.write(req[0])
                    status, body, close = await read_response(reader)
                    t1 = time.perf_counter()
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    error(f"connection: {type(exc).__name__}")
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    await asyncio.sleep(0.01)
                    continue
                if t1 <= stop_at:
                    latencies.append(t1 - t0)
                    if record:
                        results.append((req[1], req[2], status, body))
                if close:
                    writer.close()
                    reader = writer = None
            if writer is not None:
                writer.close()

        tasks = [asyncio.ensure_future(connection(i)) for i in range(self.c["concurrency"])]
        done, pending = await asyncio.wait(tasks, timeout=seconds + 30)
        for t in pending:
            t.cancel()
            error("timeout: no answer 30 s after the window")
        for t in done:
            if t.exception() is not None:
                error(f"client: {type(t.exception()).__name__}")
        # Sockets closed by us: let the loop run their callbacks.
        await asyncio.sleep(0)
        return latencies, results, state

    def check(self, target, results, kinds):
        from wechat_hall.simulator import push
        errors = 0
        for openid, expect, status, body in results:
            kind = None
            if status != 200:
                kind = f"HTTP {status}"
            elif target == "bare":
                if not body.startswith(b"<xml><Encrypt>"):
                    kind = "bare: unexpected body"
            else:
                try:
                    xml = push.open_reply(body.decode(), TOKEN, APPID, AES_KEY)
                except Exception:  # noqa: BLE001
                    xml = None
                    kind = "reply does not decrypt" if body != b"success" else "success"
                if xml is not None:
                    content = re.search(r"<Content><!\[CDATA\[(.*?)\]\]></Content>", xml, re.S)
                    to = re.search(r"<ToUserName><!\[CDATA\[(.*?)\]\]></ToUserName>", xml)
                    if content is None:
                        kind = "no text in reply"
                    elif APOLOGY_MARK in content.group(1):
                        kind = "handler failed (apology)"
                    elif to is None or to.group(1) != openid:
                        kind = "reply to the wrong user"
                    elif expect not in content.group(1):
                        kind = "wrong reply for keyword"
            if kind:
                errors += 1
                kinds[kind] = kinds.get(kind, 0) + 1
        return errors

    # -- CPU accounting ----------------------------------------------------------------

    @staticmethod
    def proc_ticks(pid):
        total = 0
        for p in [pid, *_children(pid)]:
            try:
                with open(f"/proc/{p}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
        return total

    @staticmethod
    def machine_ticks():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        idle = values[3] + values[4]
        return sum(values), idle

    # -- the run -------------------------------------------------------------------------

    def run(self):
        hz = os.sysconf("SC_CLK_TCK")
        ncpu = os.cpu_count() or 1
        c = self.c
        phases = []
        rate_guess = {}
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for rnd in range(1, c["rounds"] + 1):
            for target in ("app", "bare"):
                # Warm-up: also tells how many requests the window will need.
                warm = self.prepare(target, max(c["concurrency"] * 20,
                                                int(rate_guess.get(target, 0) * c["warmup"])))
                lat, _, _ = loop.run_until_complete(
                    self.window(target, warm, c["warmup"], record=False))
                rate = max(len(lat) / c["warmup"], rate_guess.get(target, 0))
                # Connections are not equally fast: prepare about twice what seems needed.
                need = int(rate * c["duration"] * 2.2) + c["concurrency"] * 20
                batches = self.prepare(target, need)
                pid = c["targets"][target]["pid"]
                s0, m0, cpu0 = self.proc_ticks(pid), self.machine_ticks(), time.process_time()
                w0 = time.perf_counter()
                lat, results, state = loop.run_until_complete(
                    self.window(target, batches, c["duration"], record=True))
                wall = time.perf_counter() - w0
                s1, m1, cpu1 = self.proc_ticks(pid), self.machine_ticks(), time.process_time()
                self.progress.write_text(str(self.counter))
                kinds = dict(state["errors"])
                errors = sum(kinds.values()) + self.check(target, results, kinds)
                busy = 1 - (m1[1] - m0[1]) / max(1, m1[0] - m0[0])
                phase = {"target": target, "round": rnd, "seconds": c["duration"],
                         "completed": len(lat), "latencies": lat, "errors": errors,
                         "checked": len(results), "error_kinds": kinds,
                         "live_generated": state["live"],
                         "client_cpu": (cpu1 - cpu0) / wall,
                         "server_cpu": (s1 - s0) / hz / wall, "machine_busy": busy}
                phases.append(phase)
                rate_guess[target] = len(lat) / c["duration"]
                print(f"round {rnd} {target:4}: {len(lat) / c['duration']:8.1f} req/s, "
                      f"errors {errors}, load CPU {phase['client_cpu']:.2f}, server CPU "
                      f"{phase['server_cpu']:.2f}, machine {busy * ncpu:.2f}/{ncpu}",
                      file=sys.stderr)
        loop.close()
        self.progress.write_text(str(self.counter))
        Path(c["result"]).write_text(json.dumps({"phases": phases}))


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, close, chunked = None, False, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = value.strip().lower() == b"close"
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    if chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        return status, b"".join(parts), close
    if length is None:
        return status, await reader.read(), True
    return status, await reader.readexactly(length), close


# ---------------------------------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=15, help="measured seconds per window")
    p.add_argument("--warmup", type=float, default=3, help="warm-up seconds per window")
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--rounds", type=int, default=2, help="app/bare alternations")
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
    if not (0 < args.duration <= 300 and 0 < args.warmup <= 60 and 1 <= args.rounds <= 5
            and 1 <= args.concurrency <= 1000):
        p.error("duration ≤ 300 s, warm-up ≤ 60 s, 1–5 rounds, 1–1000 connections")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
