"""What telemetry adds to one request (issue 17): the request id, the JSON log line and
the Prometheus counters and histograms (wechat_hall/telemetry/web.py).

The same requests (WeChat's signed GET /wechat URL check, through Flask's test client)
are timed with the telemetry hooks and without them, in single-process and in
multiprocess mode (memory-mapped files, as under gunicorn), in CPU time of this process,
alternating runs so a busy machine affects both alike. docs/DEPLOYMENT.md cites it.

    .venv/bin/python bench/telemetry_cost.py [--requests 5000]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import logging, os, sys, time
sys.path.insert(0, sys.argv[2])
from wechat_hall import create_app
from wechat_hall.simulator import push
from wechat_hall.telemetry import logs, web
n, rounds = int(sys.argv[1]), 5
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True,
                  "WECHAT_TOKEN": "benchtoken"})
logs.configure("json")
logging.getLogger().handlers[0].setStream(open(os.devnull, "w"))
client = app.test_client()
hooks = (app.before_request_funcs[None], app.after_request_funcs[None],
         app.teardown_request_funcs[None])
ours = (web._start, web._finish, web._forget)

def switch(on):
    for funcs, fn in zip(hooks, ours):
        if on and fn not in funcs:
            funcs.insert(0, fn)
        if not on and fn in funcs:
            funcs.remove(fn)

def batch():
    t = str(int(time.time()))
    args = {"signature": push._sha1("benchtoken", t, "n0nce"), "timestamp": t,
            "nonce": "n0nce", "echostr": "ok"}
    t0 = time.process_time()
    for _ in range(n):
        assert client.get("/wechat", query_string=args).status_code == 200
    return (time.process_time() - t0) / n * 1e6

batch()
best = {True: [], False: []}
for _ in range(rounds):
    for on in (False, True):
        switch(on)
        best[on].append(batch())
print(min(best[False]), min(best[True]))
"""


def run(n, multiproc):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS")}
    with tempfile.TemporaryDirectory() as tmp:
        if multiproc:
            env["PROMETHEUS_MULTIPROC_DIR"] = tmp
        out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(ROOT)], env=env,
                             capture_output=True, text=True, timeout=900, cwd=ROOT)
    if out.returncode:
        raise SystemExit(out.stderr[-2000:])
    without, with_ = (float(x) for x in out.stdout.split())
    return without, with_


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"best of 5 × {args.requests} requests, CPU µs per request")
    for label, multiproc in (("single process", False), ("multiprocess (gunicorn)", True)):
        without, with_ = run(args.requests, multiproc)
        print(f"  {label:<24} without {without:6.1f}  with {with_:6.1f}  "
              f"telemetry {with_ - without:5.1f} µs ({with_ / without:.2f}×)")


if __name__ == "__main__":
    main()
