"""gunicorn config that profiles each worker's CPU time, all threads, with yappi.

Used by ``bench/wechat_throughput.py --yappi DIR`` (which then does not write
BENCHMARKS.md: a profiled server is slower). Each worker writes
``DIR/yappi-<pid>.pstat`` when it exits; read it with ``pstats``. yappi is a tool, not a
project dependency: ``.venv/bin/pip install yappi``.
"""
import os


def post_worker_init(worker):
    import yappi
    yappi.set_clock_type("cpu")
    yappi.start(builtins=os.environ.get("BENCH_YAPPI_BUILTINS") == "1", profile_threads=True)


def worker_exit(server, worker):
    import yappi
    yappi.stop()
    out = os.path.join(os.environ["BENCH_YAPPI_DIR"], f"yappi-{os.getpid()}.pstat")
    yappi.get_func_stats().save(out, type="pstat")
