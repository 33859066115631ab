"""RQ workers for the hall's queues (high, default, low), as a command or a thread."""
import threading

import redis
from rq import Queue, SimpleWorker
from rq.timeouts import TimerDeathPenalty

from .queue import QUEUES


class HallWorker(SimpleWorker):
    """Runs jobs in its own process (no fork): the app and its connections are reused."""


class ThreadWorker(HallWorker):
    """For `make run` with REDIS_URL: signals belong to the main thread (the server),
    so job time limits use a timer instead of SIGALRM."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        pass


class BurstWorker(HallWorker):
    """Works the queues empty once and returns (``run_pending``). It does not listen on
    RQ's command channel: nobody sends stop commands to a run that ends by itself, and
    RQ takes a second to close that listener, for every run."""

    def subscribe(self):
        pass

    def unsubscribe(self):
        pass


def make_worker(app, cls=HallWorker):
    url = app.config["REDIS_URL"]
    if not url:
        raise RuntimeError("no REDIS_URL: jobs run in the web process, no worker is needed")
    # A connection of its own without a socket timeout: the worker blocks on BLPOP.
    conn = redis.Redis.from_url(url)
    return cls([Queue(name, connection=conn) for name in QUEUES], connection=conn)


def start_in_thread(app):
    worker = make_worker(app, ThreadWorker)
    thread = threading.Thread(target=worker.work, kwargs={"with_scheduler": False},
                              name="rq-worker", daemon=True)
    thread.start()
    return worker


def run_pending(app, timeout=30):
    """Run every job queued so far, then return: a burst worker with Redis, or a wait for
    the in-process threads without. For tests and one-off commands."""
    from .queue import drain
    if app.config["REDIS_URL"]:
        with app.app_context():
            make_worker(app, BurstWorker).work(burst=True, with_scheduler=False)
    return drain(timeout)
