"""The timed-job loop: every registered ``@periodic`` job, once per interval cluster-wide.

Several scheduler processes may run (one per host); a Redis key per job and interval
makes sure each tick runs once.
"""
import logging
import threading
import time

from wechat_hall.redis_store import get_redis

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
            try:
                fn()
                ran.append(name)
            except Exception:
                log.exception("periodic job %s failed", name)
            finally:
                from wechat_hall.extensions import db
                db.session.remove()
    return ran


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
