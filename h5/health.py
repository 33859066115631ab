"""``/healthz``: is the database reachable, is Redis, how deep are the job queues, and
are jobs stuck — the readiness check (a proxy sends traffic only to servers that answer
200). Stuck jobs make the status ``degraded`` but keep the 200: the web node itself
serves, so a load balancer must not take it out for a worker's fault; monitoring alerts
on ``status`` and ``jobs.stuck``. ``/healthz/live`` is the liveness check: the process
answers, whatever the database and Redis do, so a database outage does not make a
supervisor restart every server (docs/DEPLOYMENT.md)."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from wechat_hall.extensions import db
from wechat_hall.jobs import queue
from wechat_hall.redis_store import get_redis, is_embedded

bp = Blueprint("health", __name__)


@bp.get("/healthz/live")
def live():
    return jsonify({"status": "ok"})


@bp.get("/healthz")
def healthz():
    result = {"database": "ok", "redis": "ok", "embedded_jobs": is_embedded()}
    healthy = True
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        result["database"] = f"error: {type(exc).__name__}"
        healthy = False
    try:
        get_redis().ping()
    except Exception as exc:
        result["redis"] = f"error: {type(exc).__name__}"
        healthy = False
    stuck = {}
    try:
        result["jobs"] = queue.counts()
        stuck = queue.stuck()
        result["jobs"]["stuck"] = stuck
    except Exception as exc:
        result["jobs"] = f"error: {type(exc).__name__}"
    result["simulator"] = current_app.config["SIMULATOR_ENABLED"]
    result["status"] = "ok" if healthy and not stuck else "degraded"
    return jsonify(result), 200 if healthy else 503
