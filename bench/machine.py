"""The machine a benchmark ran on, and what a server used of it.

- :func:`cpu_seconds`: user + system time of a server (gunicorn's master and workers),
  the figure behind every "server CPU per request";
- :func:`load_average`, :func:`yardstick` (fixed work, so runs on cores of different
  speed compare), :func:`machine_info` and :func:`machine_line` for a section's header;
- :func:`app_revision`: which code was measured.
"""
import os
import re
import subprocess
import sys
import time
from pathlib import Path


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



def cpu_ticks(pid):
    """CPU time (user + system) of a process and its children so far, in clock ticks."""
    total = 0
    for p in [pid, *children(pid)]:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total


def cpu_seconds(pid):
    """CPU time (user + system) of a server: the gunicorn master and its workers, so far.
    The difference over a window, divided by the requests in it, is the server's CPU per
    request, a figure that does not depend on what else shares the machine's cores."""
    return cpu_ticks(pid) / os.sysconf("SC_CLK_TCK")


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
            f"gunicorn {info['gunicorn']}; CPU yardstick {speed} ms (`machine.yardstick`: "
            f"fixed work, lower is faster)")
