"""``/wechat``: the URL WeChat's servers push to (P-1).

Protocol rules: services/wechat/inbound. WeChat's URL check (``GET``) is an ordinary
Flask view. Every push (``POST``) is answered by :class:`PushGate`, a WSGI route in
front of Flask (issue 15): a push is signed XML from WeChat's servers, never a browser
page, so Flask's page machinery (request and response objects, the session, CSRF, the
limiter, the page security headers and nonce) is work it does not need. The gate keeps
every edge rule a push had under Flask, from the same modules: the body limit with its
Chinese 413 (a chunked body read one byte past it), control characters in the query
refused, the request id, its log line and counters. Then signature, replay, dedup, the
reply budget and the router, as before.

``WECHAT_PUSH_GATE=0`` sends pushes through Flask's full request path instead (the
``receive`` view below): the same answers, for comparison or for a middleware that must
see them.
"""
import io
import logging
import time
from urllib.parse import parse_qsl

from flask import Blueprint, Response, request
from werkzeug.wsgi import get_content_length

from wechat_hall import request_guard
from wechat_hall.request_guard import wechat_push
from wechat_hall.services.wechat import inbound
from wechat_hall.telemetry import context, metrics, web

from . import router

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)
ENDPOINT = "wechat.receive"
TEXT = "text/plain; charset=utf-8"
XML = "application/xml; charset=utf-8"
# The reply goes to WeChat's servers, not a browser; still nothing may sniff, frame,
# cache or run it.
HEADERS = [("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store"),
           ("X-Frame-Options", "DENY"),
           ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")]


def _text(body, status=200):
    return Response(body, status=status, mimetype="text/plain")


@bp.get("/wechat")
def verify():
    try:
        return _text(inbound.verify_url(request.args))
    except inbound.Refused as exc:
        return _text(exc.reason, exc.status)


@bp.post("/wechat")
@wechat_push
def receive():
    """A push through Flask (only with ``WECHAT_PUSH_GATE=0``)."""
    status, body, content_type, push = answer(request.args, request.get_data())
    if push is not None:
        web.note_push_type(push)
    return Response(body, status=status, content_type=content_type)


def answer(args, body):
    """``(status, body, content type, push type or None)`` for a push's query and body,
    within an app context, after the edge checks."""
    try:
        message, envelope = inbound.open_push(args, body)
    except inbound.Refused as exc:
        return exc.status, exc.reason, TEXT, None
    push = metrics.push_type(message)
    try:
        xml = inbound.respond(message, router, envelope)
    except inbound.Refused as exc:
        return exc.status, exc.reason, TEXT, push
    return 200, envelope.seal(xml), XML if xml != inbound.SUCCESS else TEXT, push


class PushGate:
    """WSGI middleware: ``POST /wechat`` answered here, everything else by Flask."""

    def __init__(self, app, inner):
        self.app, self.inner = app, inner

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/wechat" or environ.get("REQUEST_METHOD") != "POST":
            return self.inner(environ, start_response)
        t0 = time.perf_counter()
        token = context.bind(context.accept(environ.get("HTTP_X_REQUEST_ID")))
        push = None
        try:
            with self.app.app_context():
                status, body, content_type, push = self._answer(environ)
        except Exception:
            log.exception("unexpected error on a push")
            status, body, content_type = 500, "系统繁忙，请稍后再试。", TEXT
        try:
            rid = web.record(ENDPOINT, "POST", "/wechat", status, time.perf_counter() - t0,
                             push)
        finally:
            context.reset(token)
        data = body.encode() if isinstance(body, str) else body
        start_response(f"{status} {_REASONS.get(status, 'Error')}",
                       [("Content-Type", content_type), ("Content-Length", str(len(data))),
                        ("X-Request-Id", rid), *HEADERS])
        return [data]

    def _answer(self, environ):
        limit = self.app.config["WECHAT_MAX_BODY_BYTES"]
        body = self._body(environ, limit)
        if body is None:
            return 413, request_guard.too_large_message(limit), TEXT, None
        pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if any(request_guard.has_control_characters(k) or
               request_guard.has_control_characters(v) for k, v in pairs):
            return 400, "提交的内容含有无法识别的控制字符，请删除后重新输入。", TEXT, None
        args = {}
        for name, value in pairs:
            args.setdefault(name, value)  # the first of a repeated name, as Flask's args
        return answer(args, body)

    def _body(self, environ, limit):
        """The body, or None when it is over the limit (declared, or a chunked body read
        to one byte past it)."""
        stream = environ.get("wsgi.input") or io.BytesIO()
        length = get_content_length(environ)  # None when chunked, as for Flask
        if length is not None and length > limit:
            return None
        if length is None:
            if not environ.get("wsgi.input_terminated"):
                return b""
            data = stream.read(limit + 1)
            return None if len(data) > limit else data
        return stream.read(length)


_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 413: "Payload Too Large",
            500: "Internal Server Error"}


def install(app):
    """Put the gate in front of the app's WSGI stack (last, so outermost)."""
    if app.config.get("WECHAT_PUSH_GATE", True):
        app.wsgi_app = PushGate(app, app.wsgi_app)
