"""ISS-3 pages of the issuer: 手机号码维护, 手机短信订阅, 每日持股变化名单 and 明细."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for

from models.issuer_portal import MESSAGE_TYPES
from models.issuers import CHANGE_KINDS
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.masking import mask_phone
from wechat_hall.services.accounts.id_numbers import id_type_label
from wechat_hall.services.issuers import alerts, contacts, major_holders
from wechat_hall.services.queries import trading_days

from .access import contact_required

bp = Blueprint("issuer_alerts", __name__, url_prefix="/issuer/alerts")


def _text(name, limit):
    value = request.form.get(name, "")
    return value[:limit * 2] if isinstance(value, str) else ""


def _id(name):
    value = request.form.get(name, "")
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else 0


def _common(contact):
    return dict(contact=contact, securities=contacts.securities_of(contact.issuer_id),
                mask_phone=mask_phone, id_type_label=id_type_label)


@bp.route("/phones", methods=["GET", "POST"])
@contact_required
def phones(contact):
    error, form = None, {}
    if request.method == "POST":
        form = {k: _text(k, 40) for k in ("phone", "name", "title", "code")}
        try:
            if request.form.get("action") == "send_code":
                sent = alerts.send_code(form["phone"], request.remote_addr,
                                        f"issuer:{contact.id}")
                flash(f"验证码已发送至 {mask_phone(sent.phone)}，{sent.expires_in // 60}分钟内有效。",
                      "info")
            else:
                alerts.add_phone(contact.issuer_id, form["phone"], form["name"], form["title"],
                                 form["code"])
                flash("手机号码新增成功。", "success")
                return redirect(url_for("issuer_alerts.phones"))
        except alerts.AlertRefused as exc:
            db.session.rollback()
            error = str(exc)
    return render_template("issuers/phones.html", **_common(contact), error=error, form=form,
                           rows=alerts.phones_of(contact.issuer_id))


@bp.post("/phones/<int:phone_id>/delete")
@contact_required
def phone_delete(contact, phone_id):
    alerts.remove_phone(contact.issuer_id, phone_id)
    flash("手机号码已删除，其短信订阅一并取消。", "info")
    return redirect(url_for("issuer_alerts.phones"))


@bp.route("/subscriptions", methods=["GET", "POST"])
@contact_required
def subscriptions(contact):
    error = None
    if request.method == "POST":
        try:
            phone_id = _id("phone_id")
            if not phone_id:
                raise alerts.AlertRefused("请选择手机号码")
            alerts.subscribe(contact.issuer_id, phone_id, _text("message_type", 20),
                             _text("keyword", 10))
        except alerts.AlertRefused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash("订阅成功。", "success")
            return redirect(url_for("issuer_alerts.subscriptions"))
    return render_template("issuers/subscriptions.html", **_common(contact), error=error,
                           phones=alerts.phones_of(contact.issuer_id),
                           rows=alerts.subscriptions_of(contact.issuer_id),
                           message_types=MESSAGE_TYPES)


@bp.post("/subscriptions/<int:subscription_id>/delete")
@contact_required
def subscription_delete(contact, subscription_id):
    alerts.unsubscribe(contact.issuer_id, subscription_id)
    flash("已取消订阅。", "info")
    return redirect(url_for("issuer_alerts.subscriptions"))


def _query(contact):
    """(security, day, error) of the 5 % pages' query string."""
    _, security, error = contacts.chosen_security(contact.issuer_id,
                                                  request.args.get("code", "")[:10])
    raw = request.args.get("day", "")[:20]
    day = trading_days.previous_trading_day(clock.today(), inclusive=False)
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            error = error or f"日期“{raw}”应为 YYYY-MM-DD"
    return security, day, error


@bp.get("/major-holders")
@contact_required
def holder_list(contact):
    """持股5%以上股东每日持股变化名单."""
    security, day, error = _query(contact)
    rows = major_holders.holders_for(security, day) if security and not error else []
    changed = {c.holder_key for c in major_holders.changes_for(security, day)} \
        if security and not error else set()
    return render_template("issuers/major_holders.html", **_common(contact), security=security,
                           day=day, error=error, rows=rows, changed=changed)


@bp.get("/major-holders/changes")
@contact_required
def change_list(contact):
    """持股5%以上股东每日持股变化明细."""
    security, day, error = _query(contact)
    rows = major_holders.changes_for(security, day) if security and not error else []
    return render_template("issuers/major_holder_changes.html", **_common(contact),
                           security=security, day=day, error=error, rows=rows,
                           change_kinds=CHANGE_KINDS)
