"""Lean routes: the two hottest URLs answered in front of Flask's page machinery (issue 15).

``POST /wechat`` (every push; signed XML from WeChat's servers) and
``GET /h5/queue/status.json`` (the public queue-progress poll) carry no cookie, render no
page and use neither CSRF, the session, the limiter nor the page security headers; Flask's
request and response objects, its hooks and its routing were most of their cost. A view
module registers a lean handler for such a URL beside its ordinary Flask view
(:func:`route`, from a blueprint's ``record`` callback); the WSGI middleware installed
last by the app factory answers those (method, path) pairs itself and passes every other
request on.

What a request had under Flask and keeps here, from the same modules:
- an app context (``current_app``, the database session, Redis), popped after;
- the request id (``X-Request-Id`` accepted when sane, sent back), its JSON log line and
  the request counters, under the Flask view's endpoint name (telemetry/web.record);
- control characters in the query refused with the Chinese 400 (request_guard); a
  handler that reads a body applies its own limit (see handlers/endpoint.py);
- an unexpected error is logged and answered with a Chinese 500, never a traceback;
- ``X-Content-Type-Options``, ``Cache-Control: no-store`` and a CSP that allows nothing,
  fixed headers for answers that are never a page.

``LEAN_ROUTES=0`` sends these URLs through Flask's full request path (their ordinary
views), with the same answers: for comparison, or for a middleware that must see them.
"""
import logging
import time
from http import HTTPStatus
from urllib.parse import parse_qsl

from wechat_hall import request_guard
from wechat_hall.telemetry import context, web

log = logging.getLogger(__name__)

TEXT = "text/plain; charset=utf-8"
XML = "application/xml; charset=utf-8"
JSON = "application/json"
HEADERS = [("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store"),
           ("X-Frame-Options", "DENY"),
           ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")]
_, CONTROL_CHARACTERS = request_guard.ControlCharacters.hall_message


class Request:
    """What a lean handler gets: the WSGI environ, the query (first value of a name, as
    Flask's ``request.args.get``) and the client's address (after ProxyFix)."""

    __slots__ = ("environ", "args")

    def __init__(self, environ, args):
        self.environ, self.args = environ, args

    @property
    def remote_addr(self):
        return self.environ.get("REMOTE_ADDR")


def route(app, method, path, endpoint, handler):
    """Answer ``method path`` with ``handler(request) -> (status, body, content type)``,
    counted and logged as ``endpoint``; a push's handler adds its type as a fourth item
    (``metrics.push_type``, counted with the reply latency)."""
    app.extensions.setdefault("lean_routes", {})[(method, path)] = (endpoint, handler)


class LeanRoutes:
    """WSGI middleware: the registered (method, path) pairs here, everything else on."""

    def __init__(self, app, inner):
        self.app, self.inner = app, inner
        self.routes = app.extensions.get("lean_routes", {})

    def __call__(self, environ, start_response):
        found = self.routes.get((environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")))
        if found is None:
            return self.inner(environ, start_response)
        endpoint, handler = found
        t0 = time.perf_counter()
        token = context.bind(context.accept(environ.get("HTTP_X_REQUEST_ID")))
        push = None
        try:
            with self.app.app_context():
                status, body, content_type, push = self._answer(environ, handler)
        except Exception:
            log.exception("unexpected error on %s", environ.get("PATH_INFO"))
            status, body, content_type = 500, "系统繁忙，请稍后再试。", TEXT
        try:
            rid = web.record(endpoint, environ["REQUEST_METHOD"], environ["PATH_INFO"],
                             status, time.perf_counter() - t0, push)
        finally:
            context.reset(token)
        data = body.encode() if isinstance(body, str) else body
        start_response(f"{status} {HTTPStatus(status).phrase}",
                       [("Content-Type", content_type), ("Content-Length", str(len(data))),
                        ("X-Request-Id", rid), *HEADERS])
        return [data]

    @staticmethod
    def _answer(environ, handler):
        pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if any(request_guard.has_control_characters(k) or
               request_guard.has_control_characters(v) for k, v in pairs):
            return 400, CONTROL_CHARACTERS, TEXT, None
        args = {}
        for name, value in pairs:
            args.setdefault(name, value)
        answer = handler(Request(environ, args))
        return answer if len(answer) == 4 else (*answer, None)


def install(app):
    """Put the lean routes in front of the app's WSGI stack (before ProxyFix wraps it)."""
    if app.config.get("LEAN_ROUTES", True) and app.extensions.get("lean_routes"):
        app.wsgi_app = LeanRoutes(app, app.wsgi_app)
