"""Sign-in of issuer contacts: password, then the TOTP second factor; sign-out."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

from models import IssuerContact
from wechat_hall import sessions
from wechat_hall.extensions import db
from wechat_hall.rate_limits import limited
from wechat_hall.services.issuers import contacts
from wechat_hall.urls import local_path

from .access import CONTACT_EPOCH, CONTACT_ID, PENDING_ID, signed_in_contact

bp = Blueprint("issuer_auth", __name__, url_prefix="/issuer")


def _field(name, limit=128):
    value = request.form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


@bp.route("/login", methods=["GET", "POST"])
@limited("issuer_login_address")
def login():
    next_url = local_path(request.values.get("next", "")) or ""
    if request.method == "GET" and signed_in_contact() is not None:
        return redirect(next_url or url_for("issuer_portal.home"))
    error = None
    if request.method == "POST":
        try:
            contact = contacts.authenticate(_field("login", 64), _field("password"))
        except contacts.LoginRefused as exc:
            error = str(exc)
        else:
            session.clear()
            sessions.renew(session)
            session[PENDING_ID] = contact.id
            session["issuer_next"] = next_url
            return redirect(url_for("issuer_auth.second_factor"))
    return render_template("issuers/login.html", error=error, next_url=next_url,
                           login=_field("login", 64))


@bp.route("/login/otp", methods=["GET", "POST"])
@limited("issuer_login_address")
def second_factor():
    pending = session.get(PENDING_ID)
    contact = db.session.get(IssuerContact, pending) if isinstance(pending, int) else None
    if contact is None:
        return redirect(url_for("issuer_auth.login"))
    error = None
    if request.method == "POST":
        try:
            contacts.verify_second_factor(contact, _field("code", 16))
        except contacts.LoginRefused as exc:
            error = str(exc)
        else:
            target = local_path(session.get("issuer_next") or "") or url_for("issuer_portal.home")
            session.clear()
            sessions.renew(session)
            session[CONTACT_ID], session[CONTACT_EPOCH] = contact.id, contact.session_epoch
            sessions.track(session, f"issuer:{contact.id}")
            flash(f"欢迎，{contact.name}（{contact.issuer.name}）。", "success")
            return redirect(target)
    return render_template("issuers/otp.html", error=error, pending=contact)


@bp.post("/logout")
def logout():
    if request.form.get("csrf_token") is None and request.headers.get("X-CSRFToken") is None:
        abort(400)  # CSRFProtect has checked the token already
    session.clear()
    sessions.renew(session)
    flash("您已安全退出。", "info")
    return redirect(url_for("issuer_auth.login"))
