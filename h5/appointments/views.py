"""业务预约 (APT-1..5): 申请预约 → 预约信息预览 → 预约成功, 我的预约, 详情, 取消预约.

Thin views: the rules are in ``wechat_hall.services.appointments`` (booking, slots).
The application travels from the form to the confirm step in the session, with the
one-time token that makes a double tap on 提交 book once.
"""
from datetime import date
from functools import wraps

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from h5.forms import HallForm

from h5.identity import current_openid, current_user, start_oauth
from models import Office
from models.appointment import AGENT_TYPES
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.masking import mask_openid
from wechat_hall.services.appointments import application as booking_form
from wechat_hall.services.appointments import booking as booking
from wechat_hall.services.appointments import calendar, offices, slots
from wechat_hall.services.appointments import qr as qr_codes

bp = Blueprint("appointments", __name__, url_prefix="/h5/appointments")

DRAFT = "apt_draft"
TOKEN = "apt_token"


class PostForm(HallForm):
    """Only the CSRF token: the fields are read and checked by the service."""


@bp.app_template_filter("local_date")
def local_date(naive_utc):
    """Stored naive UTC → the Shanghai date people read."""
    return clock.to_local(naive_utc).strftime("%Y-%m-%d") if naive_utc else ""


@bp.app_template_filter("local_time")
def local_time(naive_utc):
    return clock.to_local(naive_utc).strftime("%Y-%m-%d %H:%M:%S") if naive_utc else ""


def person_required(view):
    """The page needs to know who books: the WeChat user (OAuth) or the signed-in user."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_openid() and current_user() is None:
            return start_oauth(request.full_path if request.query_string else request.path)
        return view(*args, **kwargs)
    return wrapped


def owner():
    user = current_user()
    return booking.Owner(openid=current_openid(), hall_user_id=user.id if user else None)


def _office(code):
    if not code:
        return None
    return db.session.execute(db.select(Office).filter_by(code=code, active=True)).scalar_one_or_none()


@bp.get("", strict_slashes=False)
@person_required
def home():
    return render_template("appointments/home.html", back_url=url_for("hall.home"),
                           openid=mask_openid(current_openid()))


@bp.get("/notice")
@person_required
def notice():
    rows = offices.active_offices()
    office = _office(request.args.get("office")) or (rows[0] if rows else None)
    return render_template("appointments/notice.html", offices=rows, office=office,
                           back_url=url_for("appointments.home"))


@bp.get("/rules")
def rules():
    return render_template("appointments/rules.html", back_url=request.referrer or url_for(
        "appointments.home"), cutoff_rule=slots.cutoff_rule(),
        window=slots.last_day() - clock.today())


def _day_choices():
    days = slots.window()
    return days, calendar.uses_fallback(days)


def _slot_choices(office, day):
    if day is None:
        return []
    return slots.slots_of(office.id, day)


@bp.route("/apply", methods=["GET", "POST"])
@person_required
def apply():
    office = _office(request.args.get("office"))
    if office is None:
        return redirect(url_for("appointments.notice"))
    if request.args.get("reset"):
        session.pop(DRAFT, None)
        session.pop(TOKEN, None)
        return redirect(url_for("appointments.apply", office=office.code))
    form = PostForm()
    errors = {}
    values = {}
    if request.method == "POST":
        values = request.form.to_dict()
        if not form.validate_on_submit():
            errors["form"] = "页面已过期，请重新提交。"
        else:
            try:
                application = booking_form.clean_application(office, values)
            except booking_form.Invalid as exc:
                errors = exc.errors
            else:
                session[DRAFT] = application.to_session()
                session[TOKEN] = booking_form.new_confirm_token()
                return redirect(url_for("appointments.preview"))
    else:
        draft = booking_form.Application.from_session(session.get(DRAFT) or {})
        if draft is not None and draft.office_id == office.id:
            values = {k: str(v) for k, v in draft.to_session().items()}
            values["agree"] = "y"
    days, fallback_years = _day_choices()
    open_days = [d for d in days if d.open]
    chosen_day = _parse_day(values.get("day"))
    if chosen_day is None and open_days:
        chosen_day = open_days[0].day
    slot_rows = _slot_choices(office, chosen_day)
    db.session.commit()  # the slots materialised for the page
    return render_template(
        "appointments/apply.html", office=office, form=form, errors=errors, values=values,
        agent_types=AGENT_TYPES, business_types=[b for b in office.business_types if b.active],
        days=days, chosen_day=chosen_day, slot_rows=slot_rows,
        fallback_years=fallback_years, provisional_days=calendar.provisional(days),
        cutoff_rule=slots.cutoff_rule(),
        max_items=booking_form.MAX_ITEMS,
        back_url=url_for("appointments.notice", office=office.code))


def _parse_day(raw):
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


@bp.get("/slots.json")
@person_required
def slots_json():
    office = _office(request.args.get("office"))
    day = _parse_day(request.args.get("day"))
    if office is None or day is None:
        return jsonify(error="请选择地区和日期", slots=[]), 400
    try:
        slots.check_day(day)
    except slots.DayRefused as exc:
        return jsonify(error=str(exc), slots=[], day=day.isoformat())
    rows = _slot_choices(office, day)
    db.session.commit()
    return jsonify(day=day.isoformat(),
                   slots=[dict(id=s.template_id, label=s.label, remaining=s.remaining)
                          for s in rows])


@bp.get("/preview")
@person_required
def preview():
    application = booking_form.Application.from_session(session.get(DRAFT) or {})
    if application is None or not session.get(TOKEN):
        flash("请先填写预约信息。", "info")
        return redirect(url_for("appointments.notice"))
    info = booking_form.describe(application)
    return render_template("appointments/preview.html", form=PostForm(), token=session[TOKEN],
                           back_url=url_for("appointments.apply", office=info["office"].code),
                           **info)


@bp.post("/confirm")
@person_required
def confirm():
    form = PostForm()
    token = request.form.get("token", "")
    if not form.validate_on_submit():
        abort(400)
    application = booking_form.Application.from_session(session.get(DRAFT) or {})
    if application is None or token != session.get(TOKEN):
        # A second tap finds the appointment the first made, after the draft is gone.
        done = booking.by_token(token) if token else None
        if done is not None and booking.Owner.owns(owner(), done):
            return redirect(url_for("appointments.detail", appointment_id=done.id, new=1))
        flash("页面已过期，请重新填写预约信息。", "error")
        return redirect(url_for("appointments.notice"))
    try:
        appointment = booking.book(application, token, owner())
    except booking.Refused as exc:
        flash(str(exc), "error")
        office = db.session.get(Office, application.office_id)
        return redirect(url_for("appointments.apply", office=office.code if office else None))
    session.pop(DRAFT, None)
    return redirect(url_for("appointments.detail", appointment_id=appointment.id, new=1))


def _owned_or_404(appointment_id):
    appointment = booking.owned(appointment_id, owner())
    if appointment is None:
        abort(404)
    return appointment


@bp.get("/<int:appointment_id>")
@person_required
def detail(appointment_id):
    appointment = _owned_or_404(appointment_id)
    return render_template("appointments/detail.html", a=appointment, form=PostForm(),
                           new=bool(request.args.get("new")),
                           can_cancel=booking.can_cancel(appointment),
                           deadline=clock.to_local(booking.cancel_deadline(appointment)),
                           back_url=url_for("appointments.mine"))


@bp.get("/<int:appointment_id>/qr.png")
@person_required
def qr(appointment_id):
    appointment = _owned_or_404(appointment_id)
    response = make_response(qr_codes.png(appointment.code))
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/<int:appointment_id>/cancel")
@person_required
def cancel(appointment_id):
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        booking.cancel(appointment_id, owner())
    except LookupError:
        abort(404)
    except booking.Refused as exc:
        flash(str(exc), "error")
    else:
        flash("预约已取消。", "success")
    target = request.form.get("next")
    if target == "mine":
        return redirect(url_for("appointments.mine", **{k: v for k, v in request.form.items()
                                                         if k in ("by", "span", "start", "end")}))
    return redirect(url_for("appointments.detail", appointment_id=appointment_id))


@bp.get("/mine")
@person_required
def mine():
    by = request.args.get("by") if request.args.get("by") in (booking.BY_CREATED, booking.BY_DAY) \
        else booking.BY_CREATED
    span = request.args.get("span") if request.args.get("span") in booking.SPANS else "1m"
    default_start, default_end = booking.default_range(by, span)
    start = _parse_day(request.args.get("start")) if request.args.get("start") else default_start
    end = _parse_day(request.args.get("end")) if request.args.get("end") else default_end
    error, rows = None, []
    try:
        rows = booking.search(owner(), by, start, end)
    except booking.Refused as exc:
        error = str(exc)
    return render_template("appointments/mine.html", rows=rows, by=by, span=span,
                           start=request.args.get("start") or default_start.isoformat(),
                           end=request.args.get("end") or default_end.isoformat(),
                           error=error, spans=booking.SPANS, form=PostForm(),
                           can_cancel=booking.can_cancel, searched="by" in request.args,
                           back_url=url_for("appointments.home"))
