"""``/wechat``: the URL WeChat's servers push to (P-1).

Protocol rules: services/wechat/inbound."""
from flask import Blueprint, Response, request

from wechat_hall.request_guard import wechat_push
from wechat_hall.services.wechat import inbound
from wechat_hall.telemetry import web

from . import router

bp = Blueprint("wechat", __name__)


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
    try:
        message, envelope = inbound.open_push(request.args, request.get_data())
    except inbound.Refused as exc:
        return _text(exc.reason, exc.status)
    web.note_push(message)
    try:
        xml = inbound.respond(message, router, envelope)
    except inbound.Refused as exc:
        return _text(exc.reason, exc.status)
    return Response(envelope.seal(xml), mimetype="application/xml" if xml != "success"
                    else "text/plain")
