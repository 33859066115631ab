"""What every benchmark in ``bench/`` shares: a database of its own, gunicorn servers
started and stopped, the machine's description, percentiles, and its section of
docs/BENCHMARKS.md.

Benchmarks import it as ``import harness`` (``bench/`` is their directory); importing it
puts the repository root on ``sys.path`` so they can import the app.
"""
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DOC = ROOT / "docs" / "BENCHMARKS.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DB = "hall_bench"
SECRET_KEY = "bench-" + "0" * 58  # the servers' (server_env) and the benchmarks' own app
GUNICORN = Path(sys.executable).parent / "gunicorn"
APPID = "wxbench000000001"
SECRET = "benchsecret00000000000000000000b"
TOKEN = "benchtoken"
AES_KEY = "benchAESkey0123456789abcdefghijklmnopqrstuv"  # 43 characters
TARGET = "gh_benchaccount"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(base_url, name=BENCH_DB):
    """A clean place for the app's tables. Returns ``(url, description, cleanup)``."""
    import psycopg2
    from sqlalchemy.engine import make_url

    base = make_url(base_url)
    if base.database and base.database != "test":  # one per engineer's database
        name = f"{name}_{base.database}"

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
        DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY=SECRET_KEY,
        WECHAT_APPID=APPID, WECHAT_SECRET=SECRET, WECHAT_TOKEN=TOKEN,
        WECHAT_AES_KEY=AES_KEY, SIMULATOR_ENABLED="1",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", PORT=str(port), PYTHONUNBUFFERED="1",
        # The logs as in production (docs/DEPLOYMENT.md): the app's one JSON line per
        # request, and gunicorn's access log off (it would be a second line per request).
        LOG_FORMAT="json", GUNICORN_ACCESS_LOG="",
    )
    return env


def make_app(database_url, redis_url, **config):
    """The real app in this process, on the run's database and Redis and the servers'
    SECRET_KEY (so cookies it signs are the servers' cookies)."""
    from wechat_hall import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url,
                       "SECRET_KEY": SECRET_KEY, **config})


def close_connections(app):
    """Close the app's database connections, so that its database can be dropped."""
    from wechat_hall.extensions import db
    with app.app_context():
        db.engine.dispose()


def session_cookie(app, data, csrf=False):
    """A signed-in session as the servers keep it (server-side, in the run's Redis): the
    cookie value, and with ``csrf`` the CSRF token of that session as well."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf
    with app.test_request_context():
        g.pop("csrf_token", None)  # generate_csrf caches per app context
        session.update(data)
        token = generate_csrf() if csrf else None
        response = app.response_class()
        app.session_interface.save_session(app, session._get_current_object(), response)
        cookie = response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    return (cookie, token) if csrf else cookie


def statements_of(app, fn):
    """Run ``fn()`` and return the SQL statements it sent (for the profilers' --sql)."""
    from sqlalchemy import event

    from wechat_hall.extensions import db
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *a: seen.append(" ".join(a[2].split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def timed_per_item(items, fn, cprofile=False, top=50):
    """``fn(*item)`` for each item: (wall ms, CPU ms of this process) per item, and with
    ``cprofile`` the profile by cumulative time printed first."""
    profiler = None
    if cprofile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    for item in items:
        fn(*item)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if profiler:
        profiler.disable()
        import pstats
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)
    return wall / len(items) * 1000, cpu / len(items) * 1000


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
            workers = children(self.proc.pid)
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


def children(pid):
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



def cpu_seconds(pid):
    """CPU time (user + system) of a server: the gunicorn master and its workers, so far.
    The difference over a window, divided by the requests in it, is the server's CPU per
    request, a figure that does not depend on what else shares the machine's cores."""
    hz = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in [pid, *children(pid)]:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / hz


def load_average():
    """The 1-minute load average: how busy the shared machine was during a run."""
    return os.getloadavg()[0]


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
    info["yardstick"] = yardstick()
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


def yardstick():
    """Milliseconds of one fixed piece of pure-Python work (hashing, JSON, a small sort and
    dictionary traffic: what a request does), best of five, on one core. The same work
    on every run, so two runs' figures can be compared even when the machines' cores are
    not equally fast: the same model name on a shared host has run it 2.5–3 × slower
    on one day than on another."""
    import hashlib
    import json
    payload = b"x" * 1024
    best = float("inf")
    for _ in range(5):
        t0 = time.process_time()
        for i in range(4000):
            hashlib.sha256(payload).hexdigest()
            row = {"id": i, "label": f"E{i:03d}", "ahead": i % 17, "status": "等待中"}
            json.loads(json.dumps(row, ensure_ascii=False))
            sorted((i * 7919) % 1013 for i in range(40))
        best = min(best, time.process_time() - t0)
    return round(best * 1000, 1)


def machine_line(info):
    """The machine of :func:`machine_info` in one line, for a section's header."""
    speed = info.get("yardstick") or yardstick()
    return (f"{info['nproc']} cores ({info['cpu']}), {info['memory']} memory, Linux "
            f"{info['kernel']}; Python {info['python']}, Flask {info['flask']}, "
            f"gunicorn {info['gunicorn']}; CPU yardstick {speed} ms (`harness.yardstick`: "
            f"fixed work, lower is faster)")


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = max(0, math.ceil(p / 100 * len(sorted_values)) - 1)
    return sorted_values[k]


def write_section(begin, end, section):
    """Put ``section`` (which starts with ``begin`` and ends with ``end``) into
    docs/BENCHMARKS.md: in place of the previous run's, or appended."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else (
        "# Benchmarks\n\nFigures written by the scripts in `bench/`: each measured against a "
        "baseline in the same run, with the machine and the date.\n")
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        text = head + section.rstrip("\n") + "\n" + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    DOC.write_text(text, encoding="utf-8")
