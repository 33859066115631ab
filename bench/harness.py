"""What every benchmark in ``bench/`` shares: a database of its own, the app in the
benchmark's process, gunicorn servers started and stopped, percentiles, and its section
of docs/BENCHMARKS.md. The machine's description and the CPU a server used are in
``machine.py``.

Benchmarks import it as ``import harness`` (``bench/`` is their directory); importing it
puts the repository root on ``sys.path`` so they can import the app.
"""
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import machine  # bench/machine.py, beside this file

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
            workers = machine.children(self.proc.pid)
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
