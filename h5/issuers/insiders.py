"""ISS-4 董监高持股 of the issuer: 董监高申报 (the issuer declares its directors,
supervisors and senior managers), 董监高持股限售情况, 董监高昨日持有变动 and 董监高历史持有变动
(self-service hours, 9:30–15:00 on trading days; data as of yesterday)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from models.issuer_insiders import INSIDER_TITLES
from wechat_hall.extensions import db
from wechat_hall.masking import mask_id_number
from wechat_hall.services.accounts.id_numbers import ID_TYPES, id_type_label
from wechat_hall.services.errors import Rejected
from wechat_hall.services.issuers import contacts, insiders, portal_hours, self_service

from .access import contact_required

bp = Blueprint("issuer_insiders", __name__, url_prefix="/issuer/insiders")

PAGES = {"declarations": "董监高申报", "holdings": "董监高持股限售情况查询",
         "yesterday": "董监高昨日持有变动查询", "history": "董监高历史持有变动查询"}


def _text(name, limit):
    value = request.form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def _common(contact, page):
    return dict(contact=contact, page=page, pages=PAGES, title=PAGES[page],
                securities=contacts.securities_of(contact.issuer_id),
                mask_id_number=mask_id_number, id_type_label=id_type_label,
                closed=portal_hours.self_service_closed())


@bp.route("", methods=["GET", "POST"], strict_slashes=False)
@contact_required
def declarations(contact):
    error, form = None, {}
    common = _common(contact, "declarations")
    if request.method == "POST":
        form = {k: _text(k, 60) for k in ("name", "title", "id_type", "id_number")}
        try:
            insiders.declare(contact, form["name"], form["title"], form["id_type"],
                             form["id_number"])
        except Rejected as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash("董监高申报成功。", "success")
            return redirect(url_for("issuer_insiders.declarations"))
    return render_template("issuers/insiders.html", **common, error=error, form=form,
                           rows=insiders.declared(contact.issuer_id), titles=INSIDER_TITLES,
                           id_types=list(ID_TYPES.values()))


@bp.post("/<int:insider_id>/remove")
@contact_required
def remove(contact, insider_id):
    try:
        row = insiders.remove(contact, insider_id)
    except Rejected as exc:
        flash(str(exc), "error")
    else:
        flash(f"已删除{row.name}的董监高申报。", "success")
    return redirect(url_for("issuer_insiders.declarations"))


@bp.get("/holdings")
@contact_required
def holdings(contact):
    common = _common(contact, "holdings")
    _, security, error = contacts.chosen_security(contact.issuer_id,
                                                  request.args.get("code", "")[:10])
    day = self_service.as_of()
    rows = insiders.restricted_holdings(contact.issuer_id, security, day) \
        if security and not error and not common["closed"] else None
    return render_template("issuers/insider_holdings.html", **common, security=security, error=error, day=day, rows=rows)


def _changes(contact, page):
    common = _common(contact, page)
    _, security, error = contacts.chosen_security(contact.issuer_id,
                                                  request.args.get("code", "")[:10])
    day = self_service.as_of()
    start, end = request.args.get("start", "")[:10], request.args.get("end", "")[:10]
    first = last = day
    if page == "history" and not error:
        try:
            first, last = insiders.period(start, end, day)
        except Rejected as exc:
            error = str(exc)
    rows = insiders.changes(contact.issuer_id, security, first, last) \
        if security and not error and not common["closed"] else None
    return render_template("issuers/insider_changes.html", **common, security=security, error=error, day=day, first=first, last=last,
                           rows=rows)


@bp.get("/yesterday")
@contact_required
def yesterday(contact):
    return _changes(contact, "yesterday")


@bp.get("/history")
@contact_required
def history(contact):
    return _changes(contact, "history")
