"""Staff pages of the hall queue: the kiosk (取号机, APT-7) and the counter (APT-8)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from h5.forms import HallForm
from sqlalchemy.exc import IntegrityError

from models import Office
from wechat_hall.extensions import db
from wechat_hall.request_guard import accepts_upload
from wechat_hall.services.appointments import counters, hall_queue, offices, qr
from wechat_hall.services.appointments import progress as queue_progress

from .access import role_required

bp = Blueprint("hall_desk", __name__, url_prefix="/staff")

KIOSK_OFFICE = "kiosk_office"
MAX_PHOTO = 10 * 1024 * 1024


class PostForm(HallForm):
    pass


def _kiosk_office():
    """The kiosk's hall: the staff account's office, or (admin) the one picked."""
    if current_user.office_id:
        return current_user.office
    code = request.args.get("office") or session.get(KIOSK_OFFICE)
    office = db.session.execute(db.select(Office).filter_by(code=code or "", active=True)
                                ).scalar_one_or_none() if code else None
    if office is not None:
        session[KIOSK_OFFICE] = office.code
    return office


@bp.get("/kiosk")
@role_required("kiosk")
def kiosk():
    office = _kiosk_office()
    if office is None:
        return render_template("staff/kiosk_pick.html", offices=offices.active_offices())
    return render_template("staff/kiosk.html", office=office, form=PostForm(),
                           business_types=[b for b in office.business_types if b.active])


def _issued(ticket, reprint):
    if reprint:
        flash("该预约已取号，以下为原排队号单（补打）。", "info")
    return redirect(url_for("hall_desk.ticket", ticket_id=ticket.id))


@bp.post("/kiosk/check-in")
@role_required("kiosk")
@accepts_upload
def check_in():
    office = _kiosk_office()
    if office is None or not PostForm().validate_on_submit():
        abort(400)
    raw = request.form.get("code", "")[:256]
    photo = request.files.get("photo")
    try:
        if photo is not None and photo.filename:
            data = photo.stream.read(MAX_PHOTO + 1)
            if len(data) > MAX_PHOTO:
                raise hall_queue.Refused("照片不能超过10MB。")
            try:
                texts = qr.decode(data)
            except qr.Unreadable as exc:
                raise hall_queue.Refused(str(exc)) from None
            raw = next((t for t in texts if hall_queue.extract_code(t)), texts[0])
        ticket, reprint = hall_queue.check_in(office, raw)
    except hall_queue.Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("hall_desk.kiosk"))
    except IntegrityError:  # two kiosks drew the same random 排队码 at the same instant
        db.session.rollback()
        flash("取号繁忙，请重新扫描。", "error")
        return redirect(url_for("hall_desk.kiosk"))
    return _issued(ticket, reprint)


@bp.post("/kiosk/walk-in")
@role_required("kiosk")
def walk_in():
    office = _kiosk_office()
    if office is None or not PostForm().validate_on_submit():
        abort(400)
    try:
        ticket = hall_queue.walk_in(office, request.form.get("business_type_id"))
    except hall_queue.Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("hall_desk.kiosk"))
    except IntegrityError:
        db.session.rollback()
        flash("取号繁忙，请重试。", "error")
        return redirect(url_for("hall_desk.kiosk"))
    return _issued(ticket, False)


@bp.get("/kiosk/ticket/<int:ticket_id>")
@role_required("kiosk")
def ticket(ticket_id):
    office = _kiosk_office()
    found = hall_queue.ticket_for_office(office, ticket_id) if office else None
    if found is None:
        abort(404)
    return render_template("staff/ticket.html", t=found, office=office,
                           progress=queue_progress.progress(found),
                           issued=hall_queue.issued_at_local(found),
                           progress_url=url_for("queue.progress_page", office=office.code,
                                                _external=True))


# -- counter --------------------------------------------------------------------------

@bp.get("/counter")
@role_required("counter")
def counter_pick():
    rows = counters.counters_for(current_user)
    chosen = session.get("counter_id")
    if chosen and counters.counter_for(current_user, chosen):
        return redirect(url_for("hall_desk.counter", counter_id=chosen))
    return render_template("staff/counter_pick.html", counters=rows)


@bp.get("/counter/<int:counter_id>")
@role_required("counter")
def counter(counter_id):
    desk = counters.counter_for(current_user, counter_id)
    if desk is None:
        abort(404)
    session["counter_id"] = desk.id
    waiting = counters.waiting_counts(desk)
    return render_template("staff/counter.html", desk=desk, form=PostForm(),
                           current=counters.current_ticket(desk), waiting=waiting,
                           total_waiting=sum(waiting.values()))


@bp.post("/counter/<int:counter_id>/<action>")
@role_required("counter")
def counter_action(counter_id, action):
    desk = counters.counter_for(current_user, counter_id)
    if desk is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        if action == "next":
            ticket = counters.call_next(desk, current_user, request.form.get("business_type_id"))
            if ticket is None:
                flash("当前没有等待的号码。", "info")
            else:
                flash(f"请 {ticket.label} 号到 {desk.name} 办理。", "success")
        elif action == "recall":
            ticket = counters.recall(desk)
            flash(f"已重呼 {ticket.label}。", "success")
        elif action == "skip":
            ticket = counters.skip(desk)
            flash(f"{ticket.label} 已过号。", "info")
        elif action == "finish":
            ticket = counters.finish(desk)
            flash(f"{ticket.label} 已办结。", "success")
        elif action == "leave":
            session.pop("counter_id", None)
            return redirect(url_for("hall_desk.counter_pick"))
        else:
            abort(404)
    except counters.Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("hall_desk.counter", counter_id=desk.id))
