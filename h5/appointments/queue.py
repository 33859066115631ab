"""排号进度查询 (APT-9) and the hall's public call display (APT-8)."""
from flask import (Blueprint, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)

from h5.forms import HallForm
from h5.identity import current_openid
from wechat_hall import clock, lean_routes
from wechat_hall.services.appointments import counters, offices
from wechat_hall.services.appointments import progress as queue_progress

bp = Blueprint("queue", __name__, url_prefix="/h5/queue")


class PostForm(HallForm):
    pass


def _page(office_code=None, code="", error=None, result=None):
    return render_template("queue/progress.html", offices=offices.active_offices(),
                           office_code=office_code, code=code, error=error, result=result,
                           form=PostForm(), openid=current_openid(),
                           max_ahead=queue_progress.MAX_REMIND_AHEAD,
                           back_url=url_for("appointments.home") if result is None
                           else url_for("queue.progress_page", office=office_code))


@bp.get("", strict_slashes=False)
def progress_page():
    return _page(office_code=request.args.get("office"))


@bp.post("", strict_slashes=False)
def progress():
    office_code = request.form.get("office", "")
    code = request.form.get("code", "")[:32]
    if not PostForm().validate_on_submit():
        return _page(office_code, code, error="页面已过期，请重新查询。"), 400
    try:
        ticket = queue_progress.lookup(office_code, code, request.remote_addr)
    except queue_progress.Refused as exc:
        return _page(office_code, code, error=str(exc))
    return _page(office_code, code, result=queue_progress.progress(ticket))


@bp.post("/remind")
def remind():
    office_code = request.form.get("office", "")
    code = request.form.get("code", "")[:32]
    if not PostForm().validate_on_submit():
        return _page(office_code, code, error="页面已过期，请重新查询。"), 400
    try:
        ticket = queue_progress.lookup(office_code, code, request.remote_addr)
        now = queue_progress.request_reminder(ticket, current_openid(), request.form.get("ahead"))
    except queue_progress.Refused as exc:
        flash(str(exc), "error")
        ticket = None
    else:
        flash("前面等待人数已不多于所选人数，提醒已通过微信发送。" if now else
              "设置成功：前面等待人数不多于所选人数时，将通过微信消息提醒您（仅提醒一次）。",
              "success")
    if ticket is None:
        return _page(office_code, code, error=None)
    return _page(office_code, code, result=queue_progress.progress(ticket))


@bp.get("/status.json")
def status_json():
    """The same answer as the page, for polling (and the benchmark). Served as a lean
    route (below); this view answers with ``LEAN_ROUTES=0``."""
    try:
        status = queue_progress.quick_status(request.args.get("office"),
                                             request.args.get("code"), request.remote_addr)
    except queue_progress.Refused as exc:
        return jsonify(error=str(exc)), 404
    return jsonify(status)


def lean_status(req):
    """``status_json`` as a lean route (wechat_hall/lean_routes.py): the poll of every
    waiting phone, with the same JSON."""
    try:
        status = queue_progress.quick_status(req.args.get("office"), req.args.get("code"),
                                             req.remote_addr)
    except queue_progress.Refused as exc:
        return 404, _json({"error": str(exc)}), lean_routes.JSON
    return 200, _json(status), lean_routes.JSON


def _json(value):
    """Byte for byte what ``jsonify`` sends (compact, sorted keys, ASCII)."""
    return current_app.json.dumps(value, separators=(",", ":")) + "\n"


@bp.record_once
def _lean(state):
    lean_routes.route(state.app, "GET", "/h5/queue/status.json", "queue.status_json",
                      lean_status)


@bp.get("/display/<office_code>")
def display(office_code):
    office, rows = counters.display(office_code.upper()[:16])
    if office is None:
        return render_template("error.html", title="页面不存在",
                               message="没有这个营业大厅。"), 404
    return render_template("queue/display.html", office=office, rows=rows,
                           now=clock.local_now())


@bp.get("/display")
def display_index():
    rows = offices.active_offices()
    return redirect(url_for("queue.display", office_code=rows[0].code)) if rows else (
        render_template("error.html", title="页面不存在", message="暂无营业大厅。"), 404)
