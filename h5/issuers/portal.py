"""The issuer's pages: home, 名册查询申请 (ISS-2), 上市公司信箱, 费用变动 (ISS-6)."""
from flask import (Blueprint, abort, flash, redirect, render_template, request, send_file,
                   url_for)

from models import IssuerApplication, MailboxItem
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.issuers import (applications, contacts, fees, ledger, mailbox,
                                          portal_hours, registers)

from .access import contact_required

bp = Blueprint("issuer_portal", __name__, url_prefix="/issuer")


def _text(name, limit=200):
    value = request.form.get(name, "")
    return value[:limit * 2] if isinstance(value, str) else ""


def _common(contact):
    return dict(contact=contact, securities=contacts.securities_of(contact.issuer_id))


@bp.get("/")
@contact_required
def home(contact):
    account = fees.account_of(contact.issuer_id)
    return render_template("issuers/home.html", **_common(contact), account=account,
                           yuan=fees.yuan, mailbox_count=len(mailbox.items_of(contact.issuer_id)),
                           closed=portal_hours.applications_closed(),
                           self_closed=portal_hours.self_service_closed())


def _draft():
    kinds = [k[:4] for k in request.form.getlist("kinds") if isinstance(k, str)][:10]
    return applications.Draft(
        code=_text("code", 10), record_date=_text("record_date", 20), kinds=tuple(kinds),
        top=_text("top", 12), share_class=_text("share_class", 4), reason=_text("reason", 40),
        contact_name=_text("contact_name", 40), contact_phone=_text("contact_phone", 20),
        meeting_date=_text("meeting_date", 20), note=_text("note", 500))


def _files():
    found = []
    for storage in request.files.getlist("attachments")[:applications.attachments.MAX_FILES + 1]:
        if storage and storage.filename:
            found.append((storage.filename, storage.read(applications.attachments.MAX_BYTES + 1)))
    return found


@bp.route("/applications/new", methods=["GET", "POST"])
@contact_required
def apply(contact):
    draft = applications.Draft(contact_name=contact.name, contact_phone=contact.phone,
                               record_date=clock.today().isoformat())
    error = None
    if request.method == "POST":
        draft = _draft()
        try:
            application = applications.submit(contact, draft, _files())
        except applications.ApplicationRefused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash("该笔业务申报成功", "success")
            if application.late_warning:
                flash(application.late_warning, "warning")
            return redirect(url_for("issuer_portal.application", application_id=application.id))
    return render_template("issuers/apply.html", **_common(contact), draft=draft, error=error,
                           kinds=registers.KINDS, classes=ledger.CLASSES,
                           reasons=applications.REASONS, meeting=applications.MEETING,
                           closed=portal_hours.applications_closed(),
                           owing=fees.refusal(contact.issuer_id)), 200 if not error else 422


@bp.get("/applications")
@contact_required
def application_list(contact):
    return render_template("issuers/applications.html", **_common(contact),
                           rows=applications.of_issuer(contact.issuer_id), kinds=registers.KINDS)


@bp.get("/applications/<int:application_id>")
@contact_required
def application(contact, application_id):
    row = contacts.owned_or_404(IssuerApplication, application_id, contact.issuer_id)
    items = db.session.execute(db.select(MailboxItem).filter_by(
        application_id=row.id, removed_at=None)).scalars().all()
    return render_template("issuers/application.html", **_common(contact), row=row,
                           items=items, kinds=registers.KINDS, classes=ledger.CLASSES)


@bp.get("/mailbox")
@contact_required
def mailbox_list(contact):
    return render_template("issuers/mailbox.html", **_common(contact),
                           items=mailbox.items_of(contact.issuer_id), kinds=registers.KINDS,
                           keep_days=mailbox.KEEP_DAYS)


@bp.get("/mailbox/<int:item_id>")
@contact_required
def download(contact, item_id):
    item = contacts.owned_or_404(MailboxItem, item_id, contact.issuer_id)
    path = mailbox.path_of(item)
    if item.removed_at is not None or not path.is_file():
        abort(404)
    mailbox.record_download(item, contact=contact, address=request.remote_addr)
    db.session.commit()
    return send_file(path, as_attachment=True, download_name=item.file_name,
                     mimetype="application/octet-stream")


@bp.get("/fees")
@contact_required
def fee_list(contact):
    """费用变动查询: a self-service query (9:30–15:00 on trading days)."""
    closed = portal_hours.self_service_closed()
    account, rows = fees.entries(contact.issuer_id) if not closed else (None, [])
    db.session.commit()
    return render_template("issuers/fees.html", **_common(contact), account=account, rows=rows,
                           yuan=fees.yuan, annual=fees.ANNUAL_FEES, closed=closed)
