"""Per request: a request id, one log line, the request counters (and a push's type).

The id comes from the proxy's ``X-Request-Id`` when it is sane (nginx: ``$request_id``),
else it is made here; it is sent back in the response's ``X-Request-Id``, written on
every log line of the request and on the outbox rows it creates, so a job's lines carry
the id of the push or page that caused it.
"""
import logging
import time

from flask import g, request

from . import context, metrics
from .logs import event, scrub

log = logging.getLogger("hall.request")


def init_app(app):
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_forget)


def _start():
    g.telemetry_t0 = time.perf_counter()
    g.telemetry_token = context.bind(context.accept(request.headers.get("X-Request-Id")))


def note_push_type(push):
    """The WeChat view names the push's type (``metrics.push_type``): counted with its
    reply latency."""
    g.telemetry_push = push


def _finish(response):
    t0 = g.get("telemetry_t0")
    if t0 is None:  # a request that failed before our first hook ran
        return response
    endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
    rid = record(endpoint, request.method, request.path, response.status_code,
                 time.perf_counter() - t0, g.get("telemetry_push"))
    if rid:
        response.headers["X-Request-Id"] = rid
    return response


def record(endpoint, method, path, status, seconds, push=None):
    """Count a finished request and write its line; returns the request id to send back.
    Flask's requests come here from their after-request hook, the lean routes (WeChat's
    pushes, the queue poll) from their middleware in front of Flask
    (wechat_hall/lean_routes.py)."""
    metrics.child(metrics.HTTP_REQUESTS, endpoint, method, str(status)).inc()
    metrics.child(metrics.HTTP_SECONDS, endpoint).observe(seconds)
    fields = {"event": "request", "method": method, "path": scrub(path),
              "endpoint": endpoint, "status": status,
              "duration_ms": round(seconds * 1000, 2)}
    if push is not None:
        metrics.child(metrics.PUSHES, push).inc()
        metrics.child(metrics.PUSH_SECONDS, push).observe(seconds)
        fields["push"] = push
    event(log, "request", **fields)
    return context.current()


def _forget(exc=None):
    token = g.pop("telemetry_token", None)
    if token is not None:
        try:
            context.reset(token)
        except ValueError:  # reset from another context: nothing to undo there
            pass
