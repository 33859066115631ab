"""``/metrics``: the hall's Prometheus metrics (docs/DEPLOYMENT.md), not for the public.

Who may read it is a setting: with ``METRICS_TOKEN`` set, a request must carry
``Authorization: Bearer <token>``; without it, only requests made straight to the server
(no ``X-Forwarded-For``: not through nginx) from an address in ``METRICS_ALLOW``
(default: loopback). The address judged is the socket's peer, never a forwarded one.
"""
import hmac
import ipaddress

from flask import Blueprint, Response, abort, current_app, request

from wechat_hall.telemetry import metrics

bp = Blueprint("metrics", __name__)


def _networks(spec):
    nets = []
    for part in (spec or "").split(","):
        part = part.strip()
        if part:
            nets.append(ipaddress.ip_network(part, strict=False))
    return nets


def _peer_address():
    # ProxyFix (TRUSTED_PROXIES) rewrites REMOTE_ADDR; the socket's own peer is kept.
    original = request.environ.get("werkzeug.proxy_fix.orig", {})
    return original.get("REMOTE_ADDR") or request.environ.get("REMOTE_ADDR") or ""


def allowed():
    cfg = current_app.config
    token = cfg.get("METRICS_TOKEN") or ""
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        peer = ipaddress.ip_address(_peer_address())
    except ValueError:
        return False
    return any(peer in net for net in _networks(cfg.get("METRICS_ALLOW")))


@bp.get("/metrics")
def metrics_view():
    if not allowed():
        abort(403)
    body, content_type = metrics.render(current_app._get_current_object())
    return Response(body, content_type=content_type)
