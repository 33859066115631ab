"""The issuer desk (发行人业务部) on the staff side: review applications (形式审核), read
the register audit trail, record fee payments and deductions."""
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from models import Issuer, IssuerApplication, WrittenCertificate
from models.issuer_portal import APPLICATION_STATUSES, DEDUCTION, PAYMENT
from wechat_hall.extensions import db
from wechat_hall.masking import mask_id_number
from wechat_hall.services.issuers import (applications, attachments, certificates, fees, ledger,
                                         mailbox, registers)

from h5.staff.access import role_required

bp = Blueprint("issuer_desk", __name__, url_prefix="/staff/issuers")
desk_required = role_required("issuer_desk")


def _text(name, limit):
    value = request.form.get(name, "")
    return value[:limit * 2] if isinstance(value, str) else ""


@bp.get("/")
@desk_required
def index():
    status = request.args.get("status", "")
    status = status if status in APPLICATION_STATUSES else ""
    return render_template("issuers/desk_list.html", rows=applications.for_desk(status),
                           status=status, statuses=APPLICATION_STATUSES, kinds=registers.KINDS,
                           certificates=certificates.for_desk())


def _application(application_id):
    row = db.session.get(IssuerApplication, application_id)
    if row is None:
        abort(404)
    return row


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@desk_required
def review(application_id):
    row = _application(application_id)
    error = None
    if request.method == "POST":
        try:
            if request.form.get("decision") == "accept":
                applications.accept(row, current_user)
                flash("已受理，名册生成后发送至该公司上市公司信箱。", "success")
            elif request.form.get("decision") == "reject":
                applications.reject(row, current_user, _text("reject_reason", 200))
                flash("已驳回。", "info")
            else:
                raise applications.ApplicationRefused("请选择受理或驳回")
            return redirect(url_for("issuer_desk.review", application_id=row.id))
        except applications.ApplicationRefused as exc:
            db.session.rollback()
            error = str(exc)
            row = _application(application_id)
    return render_template("issuers/desk_application.html", row=row, error=error,
                           kinds=registers.KINDS, classes=ledger.CLASSES)


@bp.route("/certificates/<int:certificate_id>", methods=["GET", "POST"])
@desk_required
def certificate_review(certificate_id):
    """ISS-5: 形式审核 of a written certificate; the persons are shown, never edited."""
    row = db.session.get(WrittenCertificate, certificate_id)
    if row is None:
        abort(404)
    error = None
    if request.method == "POST":
        decision = request.form.get("decision")
        try:
            if decision not in ("accept", "reject"):
                raise applications.ApplicationRefused("请选择受理或驳回")
            certificates.review(row, current_user, decision == "accept",
                                _text("reject_reason", 200))
            flash("已受理，凭证生成后发送至该公司上市公司信箱。" if decision == "accept"
                  else "已驳回。", "success" if decision == "accept" else "info")
            return redirect(url_for("issuer_desk.certificate_review", certificate_id=row.id))
        except applications.ApplicationRefused as exc:
            db.session.rollback()
            error = str(exc)
            row = db.session.get(WrittenCertificate, certificate_id)
    return render_template("issuers/desk_certificate.html", row=row, error=error,
                           mask_id=mask_id_number,
                           attachments=attachments.of_owner(certificate_id=row.id))


@bp.get("/applications/<int:application_id>/attachments/<int:attachment_id>")
@desk_required
def attachment(application_id, attachment_id):
    return _send(attachments.owned_or_404(attachment_id, application_id=application_id))


@bp.get("/certificates/<int:certificate_id>/attachments/<int:attachment_id>")
@desk_required
def certificate_attachment(certificate_id, attachment_id):
    return _send(attachments.owned_or_404(attachment_id, certificate_id=certificate_id))


def _send(row):
    return send_file(BytesIO(row.data), as_attachment=True, download_name=row.file_name,
                     mimetype=row.content_type)


@bp.get("/audit")
@desk_required
def audit():
    """名册访问记录: who made, downloaded or removed which register, when."""
    issuer_id = request.args.get("issuer", "")
    issuer_id = int(issuer_id) if issuer_id.isdigit() and len(issuer_id) < 10 else None
    issuers = db.session.execute(db.select(Issuer).order_by(Issuer.id)).scalars().all()
    return render_template("issuers/desk_audit.html", rows=mailbox.audit_trail(issuer_id),
                           issuers=issuers, issuer_id=issuer_id)


@bp.route("/fees", methods=["GET", "POST"])
@desk_required
def fee_accounts():
    error = None
    issuers = db.session.execute(db.select(Issuer).order_by(Issuer.id)).scalars().all()
    if request.method == "POST":
        raw = _text("issuer_id", 10)
        issuer = db.session.get(Issuer, int(raw)) if raw.isdigit() and len(raw) < 10 else None
        kind = request.form.get("kind")
        try:
            if issuer is None:
                raise fees.FeeRefused("请选择发行人")
            if kind not in (PAYMENT, DEDUCTION):
                raise fees.FeeRefused("请选择入账或扣款")
            fees.record(issuer.id, kind, fees.parse_yuan(_text("amount", 20)),
                        _text("note", 100), staff=current_user)
            db.session.commit()
            flash(f"{issuer.name}：已记录。", "success")
            return redirect(url_for("issuer_desk.fee_accounts"))
        except fees.FeeRefused as exc:
            db.session.rollback()
            error = str(exc)
    accounts = [(i, fees.account_of(i.id)) for i in issuers]
    db.session.commit()
    return render_template("issuers/desk_fees.html", accounts=accounts, error=error,
                           yuan=fees.yuan)
