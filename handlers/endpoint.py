"""``/wechat``: the URL WeChat's servers push to (P-1).

Protocol rules: services/wechat/inbound. WeChat's URL check (``GET``) is an ordinary
Flask view. Every push (``POST``) is a lean route (wechat_hall/lean_routes.py, issue 15),
answered in front of Flask's page machinery with the same edge rules: the body limit
with its Chinese 413, control characters refused, the request id, log line and counters.
Then signature, replay, dedup, the reply budget and the router, as before. ``receive``
below is the same answer through Flask (``LEAN_ROUTES=0``).
"""
from flask import Blueprint, Response, current_app, request

from wechat_hall import lean_routes, request_guard
from wechat_hall.lean_routes import TEXT, XML
from wechat_hall.request_guard import wechat_push
from wechat_hall.services.wechat import inbound
from wechat_hall.telemetry import metrics, web

from . import router

bp = Blueprint("wechat", __name__)
ENDPOINT = "wechat.receive"


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
    """A push through Flask (only with ``LEAN_ROUTES=0``)."""
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


def lean_receive(req):
    """A push as a lean route (wechat_hall/lean_routes.py): the body read within
    WECHAT_MAX_BODY_BYTES (a declared length over it refused unread, a chunked body read
    to one byte past it), then :func:`answer`."""
    limit = current_app.config["WECHAT_MAX_BODY_BYTES"]
    body = request_guard.read_body(req.environ, limit)
    if body is None:
        return 413, request_guard.too_large_message(limit), TEXT, None
    return answer(req.args, body)


@bp.record_once
def _lean(state):
    lean_routes.route(state.app, "POST", "/wechat", ENDPOINT, lean_receive)
