"""ISS-5 书面凭证 pages of the issuer: apply (with the persons), list, detail."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from models import WrittenCertificate
from models.issuer_certificates import CERTIFICATE_KINDS
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.masking import mask_id_number
from wechat_hall.services.issuers import certificates, contacts, portal_hours
from wechat_hall.services.issuers.applications import ApplicationRefused
from wechat_hall.services.queries import trading_days

from .access import contact_required
from .portal import _files

bp = Blueprint("issuer_certificates", __name__, url_prefix="/issuer/certificates")


def _text(name, limit):
    value = request.form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


@bp.route("/new", methods=["GET", "POST"])
@contact_required
def apply(contact):
    yesterday = trading_days.previous_trading_day(clock.today(), inclusive=False)
    ask = certificates.Ask(kind=request.args.get("kind", "")[:10], as_of=yesterday.isoformat(),
                           supplements=request.args.get("supplements", "")[:10])
    error = None
    if request.method == "POST":
        ask = certificates.Ask(code=_text("code", 10), kind=_text("kind", 10),
                               reason=_text("reason", 80), as_of=_text("as_of", 20),
                               period_start=_text("period_start", 20),
                               persons=_text("persons", 20_000),
                               supplements=_text("supplements", 10), note=_text("note", 1000))
        try:
            row = certificates.submit(contact, ask, _files())
        except ApplicationRefused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash("该笔业务申报成功", "success")
            return redirect(url_for("issuer_certificates.detail", certificate_id=row.id))
    return render_template("issuers/certificate_apply.html", contact=contact,
                           securities=contacts.securities_of(contact.issuer_id), ask=ask,
                           error=error, kinds=CERTIFICATE_KINDS,
                           reasons=certificates.INSIDER_REASONS,
                           closed=portal_hours.applications_closed()), 422 if error else 200


@bp.get("/")
@contact_required
def index(contact):
    return render_template("issuers/certificates.html", contact=contact,
                           securities=contacts.securities_of(contact.issuer_id),
                           rows=certificates.of_issuer(contact.issuer_id))


@bp.get("/<int:certificate_id>")
@contact_required
def detail(contact, certificate_id):
    row = contacts.owned_or_404(WrittenCertificate, certificate_id, contact.issuer_id)
    return render_template("issuers/certificate.html", contact=contact,
                           securities=contacts.securities_of(contact.issuer_id), row=row,
                           mask_id=mask_id_number)
