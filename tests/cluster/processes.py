"""The production shape in one test: gunicorn servers, RQ job workers and schedulers as
real processes on the suite's PostgreSQL and Redis, each writing its JSON log to a file.

Every process runs in a session of its own (``start_new_session``), so stopping it —
or killing it — takes its children too (gunicorn's workers); ``Cluster.stop`` ends all
of them, also when a test failed, and an ``atexit`` hook is the last guard against
leftovers if pytest itself is interrupted.
"""
import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PORTS = range(58000, 59000)  # this engineer's range on the shared machine
_live = set()


def _stop_all_left():
    for proc in list(_live):
        _terminate(proc, grace=3)


atexit.register(_stop_all_left)


def free_port(taken=()):
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 58000–58999")


def _terminate(proc, grace=15.0, sig=signal.SIGTERM):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
    _live.discard(proc)


class Process:
    """One process of the cluster and its log file."""

    def __init__(self, name, argv, env, log_dir):
        self.name = name
        self.log_path = Path(log_dir) / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        _live.add(self.proc)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def stop(self, grace=15.0):
        _terminate(self.proc, grace)
        self._log.close()

    def kill(self):
        """SIGKILL, no warm shutdown: whatever it was doing is cut off."""
        _terminate(self.proc, grace=10, sig=signal.SIGKILL)
        self._log.close()

    def lines(self):
        """The JSON lines it wrote (anything else, e.g. gunicorn's banner, is skipped)."""
        out = []
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return out
        for line in text.splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    def tail(self, n=2500):
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""


class Server(Process):
    def __init__(self, name, port, env, log_dir, workers=2, threads=4):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        env = {**env, "GUNICORN_ACCESS_LOG": ""}  # the app's JSON line per request is enough
        argv = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py",
                "--workers", str(workers), "--threads", str(threads),
                "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5", "wsgi:app"]
        super().__init__(name, argv, env, log_dir)

    def wait_ready(self, timeout=90):
        """Until /healthz answers (both workers may still be loading: fine, either
        answers); fails with the log's tail if the server died."""
        import requests
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited:\n{self.tail()}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer in {timeout} s:\n{self.tail()}")

    def worker_pids(self):
        """gunicorn's workers: the children of the arbiter."""
        kids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.pid:
                    kids.append(int(entry))
        return kids


def flask(name, args, env, log_dir):
    return Process(name, [str(BIN / "flask"), *args], env, log_dir)


class Cluster:
    """Two servers (2 gunicorn workers each), two job workers, two schedulers."""

    def __init__(self, env, log_dir):
        self.env, self.log_dir = env, log_dir
        self.servers, self.workers, self.schedulers, self.retired = [], [], [], []

    def start(self):
        ports = []
        for n in (1, 2):
            port = free_port(ports)
            ports.append(port)
            self.servers.append(Server(f"web{n}", port, self.env, self.log_dir))
        for n in (1, 2):
            self.workers.append(self.start_worker(f"worker{n}"))
            self.schedulers.append(flask(f"scheduler{n}", ["jobs", "scheduler"], self.env,
                                         self.log_dir))
        for server in self.servers:
            server.wait_ready()
        return self

    def start_worker(self, name):
        return flask(name, ["jobs", "worker"], self.env, self.log_dir)

    def processes(self):
        return [*self.servers, *self.workers, *self.schedulers, *self.retired]

    def stop(self):
        for process in self.processes():
            process.stop()

    def lines(self, kind=None):
        """JSON lines of every process (``kind``: only those whose ``event`` is that),
        each with the name of the process that wrote it."""
        out = []
        for process in self.processes():
            for line in process.lines():
                if kind is None or line.get("event") == kind:
                    line["_process"] = process.name
                    out.append(line)
        return out
