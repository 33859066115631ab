"""The timed-job loop: every registered ``@periodic`` job, once per interval cluster-wide.

Several scheduler processes may run (one per host); a Redis key per job and interval
makes sure each tick runs once.
"""
import logging
import threading
import time

from wechat_hall.redis_store import get_redis
from wechat_hall.telemetry import context, metrics
from wechat_hall.telemetry.logs import event

from .registry import PERIODIC

log = logging.getLogger(__name__)


def tick(app, now=None):
    """Run every periodic job that is due. Returns the names that ran here."""
    now = now or time.time()
    ran = []
    with app.app_context():
        r = get_redis()
        for name, (seconds, fn) in sorted(PERIODIC.items()):
            slot = int(now // seconds)
            try:
                if not r.set(f"sched:{name}:{slot}", "1", nx=True, ex=max(seconds * 2, 10)):
                    continue
            except Exception as exc:  # Redis down: run locally rather than not at all.
                log.warning("scheduler lock unavailable (%s); running %s anyway", exc, name)
            if _run_periodic(name, fn, slot):
                ran.append(name)
    return ran


def _run_periodic(name, fn, slot):
    """One tick of one timed job, under a request id of its own (the jobs it submits
    carry it), with one log line saying which interval ran here and how it went."""
    token = context.bind(context.new_id())
    started = time.perf_counter()
    outcome = "done"
    try:
        fn()
    except Exception:
        outcome = "failed"
        log.exception("periodic job %s failed", name)
    finally:
        from wechat_hall.extensions import db
        db.session.remove()
        metrics.PERIODIC_RUNS.labels(name, outcome).inc()
        event(log, "periodic", event="periodic", job=name, slot=slot, outcome=outcome,
              duration_ms=round((time.perf_counter() - started) * 1000, 2))
        context.reset(token)
    return outcome == "done"


def run_forever(app, interval=1.0, stop=None):
    stop = stop or threading.Event()
    while not stop.is_set():
        tick(app)
        stop.wait(interval)


def start_in_thread(app):
    """Embedded mode (`make run`): the scheduler runs beside the web server."""
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(app, 1.0, stop),
                              name="scheduler", daemon=True)
    thread.start()
    return stop
