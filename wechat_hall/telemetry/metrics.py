"""The hall's Prometheus metrics, and their rendering for ``/metrics``.

Counters and histograms are incremented where things happen, in whichever process that
is. Under gunicorn, the job workers and the schedulers, ``PROMETHEUS_MULTIPROC_DIR``
names a directory shared by all of them (prometheus-client's multiprocess mode: each
process writes its own memory-mapped file, a scrape adds them up), so any web server's
``/metrics`` shows the whole host. Without it (``make run``, tests) the values live in
this process. Levels that are facts about shared state — outbox rows per queue and
status, the oldest waiting row, RQ's queue depths — are read at scrape time from the
database and Redis by :class:`SharedStateCollector`, so they are the same on every
server and need no process to keep them.

Keep the hot path small: one ``labels(...).inc()`` or ``observe()`` is a dictionary
look-up and a write to a memory map (a few microseconds).
"""
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

# Seconds: a WeChat reply must come within 5 s; a page within a fraction of one.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                   10.0)
JOB_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

HTTP_REQUESTS = Counter("hall_http_requests", "HTTP requests by endpoint and status",
                        ["endpoint", "method", "status"])
HTTP_SECONDS = Histogram("hall_http_request_seconds", "HTTP request latency by endpoint",
                         ["endpoint"], buckets=LATENCY_BUCKETS)
PUSHES = Counter("hall_wechat_pushes", "WeChat pushes received, by message or event type",
                 ["type"])
PUSH_SECONDS = Histogram("hall_wechat_reply_seconds",
                         "Time from a push's arrival to its reply, by type", ["type"],
                         buckets=LATENCY_BUCKETS)
DEDUP_HITS = Counter("hall_wechat_dedup_hits",
                     "WeChat retries of a push already taken (answered from the cache)")
BUDGET_OVERRUNS = Counter("hall_wechat_budget_overruns",
                          "Pushes answered 'success' because the handler ran over budget")
API_ERRORS = Counter("hall_wechat_api_errors", "Errors answered by WeChat's API, by errcode",
                     ["code"])
JOBS = Counter("hall_jobs", "Outbox jobs run, by queue, job and outcome "
               "(done, retried, failed, skipped)", ["queue", "job", "outcome"])
JOB_SECONDS = Histogram("hall_job_seconds", "Time a job ran, by queue", ["queue"],
                        buckets=JOB_BUCKETS)
PERIODIC_RUNS = Counter("hall_periodic_runs", "Timed jobs run by this cluster's schedulers",
                        ["job", "outcome"])
BOOKINGS = Counter("hall_bookings", "Appointments booked (APT-4)")
BALLOTS = Counter("hall_ballots", "Ballots cast (V-5)")

# WeChat's push types we label by name; anything else is "other" (bounded labels).
_PUSH_TYPES = frozenset({"text", "image", "voice", "video", "shortvideo", "location", "link",
                         "event:subscribe", "event:unsubscribe", "event:click", "event:view",
                         "event:scan", "event:location", "event:templatesendjobfinish",
                         "event:subscribe_msg_popup_event", "event:subscribe_msg_sent_event",
                         "event:subscribe_msg_change_event", "event:view_miniprogram"})


_children = {}


def child(metric, *labels):
    """``metric.labels(*labels)``, remembered: the hot path skips the library's lock and
    label checks after the first time (label sets are few: endpoints, statuses, types)."""
    key = (metric, labels)
    found = _children.get(key)
    if found is None:
        found = _children.setdefault(key, metric.labels(*labels))
    return found


def push_type(message):
    kind = message.type
    if kind == "event":
        kind = "event:" + str(getattr(message, "event", "") or "").lower()
    return kind if kind in _PUSH_TYPES else "other"


def api_error(code):
    API_ERRORS.labels(str(code)).inc()


def multiprocess_dir():
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class SharedStateCollector:
    """Levels read at scrape time from the outbox table and RQ (one query, one pipeline)."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        from models import OutboxJob
        from models.outbox import PENDING, QUEUED
        from wechat_hall import clock
        from wechat_hall.extensions import db

        rows = db.session.execute(
            db.select(OutboxJob.queue, OutboxJob.status, db.func.count(),
                      db.func.min(OutboxJob.created_at))
            .group_by(OutboxJob.queue, OutboxJob.status)).all()
        outbox = GaugeMetricFamily("hall_outbox_jobs", "Outbox rows by queue and status "
                                   "(pending, queued, running, done, failed)",
                                   labels=["queue", "status"])
        oldest = GaugeMetricFamily("hall_outbox_oldest_waiting_seconds",
                                   "Age of the oldest outbox row not yet run (pending or "
                                   "queued), by queue", labels=["queue"])
        now = clock.utcnow()
        waiting = {}
        for queue, status, n, first in rows:
            outbox.add_metric([queue, status], n)
            if status in (PENDING, QUEUED) and first is not None:
                age = max((now - first).total_seconds(), 0.0)
                waiting[queue] = max(waiting.get(queue, 0.0), age)
        for queue, age in sorted(waiting.items()):
            oldest.add_metric([queue], age)
        yield outbox
        yield oldest
        queues = self.app.extensions.get("job_queues")
        if queues:
            depth = GaugeMetricFamily("hall_rq_jobs", "RQ jobs by queue and state "
                                      "(queued, started)", labels=["queue", "state"])
            for name, q in queues.items():
                depth.add_metric([name, "queued"], q.count)
                depth.add_metric([name, "started"], q.started_job_registry.count)
            yield depth


def render(app):
    """The text a Prometheus server scrapes: every process's counters, then the levels."""
    registry = CollectorRegistry()
    path = multiprocess_dir()
    if path:
        from prometheus_client import multiprocess
        multiprocess.MultiProcessCollector(registry, path=path)
        counters = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY
        counters = generate_latest(REGISTRY)
    shared = CollectorRegistry()
    shared.register(SharedStateCollector(app))
    return counters + generate_latest(shared), CONTENT_TYPE_LATEST
