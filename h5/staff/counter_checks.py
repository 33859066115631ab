"""临柜身份认证 at the counter (ACC-8 d): counter staff see the pending requests of their
branch (all branches for the registrar's own counters), check the investor's document and
confirm — typing the document's number, which must match the register — or reject with a
reason. Personal data stays masked on screen; the typed number is the check."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from h5.accounts.forms import CounterDecisionForm
from wechat_hall.extensions import db
from wechat_hall.masking import mask_id_number, mask_name
from wechat_hall.services.accounts import id_numbers, identity_checks, pending_checks
from wechat_hall.services.accounts.hall_users import AccountError

from .access import role_required

bp = Blueprint("counter_checks", __name__, url_prefix="/staff/counter-checks")


def _view(row):
    investor = row.ymt_account.investor
    return dict(row=row, name=mask_name(investor.name),
                id_type=id_numbers.id_type_label(investor.id_type),
                id_number=mask_id_number(investor.id_number),
                ymt=identity_checks.masked_ymt(row.ymt_account.number))


@bp.get("/")
@role_required("counter")
def index():
    pending = [_view(r) for r in pending_checks.pending_for_counter(current_user)]
    decided = [_view(r) for r in pending_checks.decided_for_counter(current_user)]
    return render_template("staff/counter_checks.html", pending=pending, decided=decided,
                           form=CounterDecisionForm(), branch=current_user.broker_branch)


@bp.post("/<public_id>/confirm")
@role_required("counter")
def confirm(public_id):
    form = CounterDecisionForm()
    if form.validate_on_submit():
        try:
            pending_checks.confirm_at_counter(current_user, public_id, form.id_number.data)
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash("已确认，投资者将收到认证通过的通知。", "success")
    else:
        flash("表单已失效，请刷新页面后重试。", "error")
    return redirect(url_for("counter_checks.index"))


@bp.post("/<public_id>/reject")
@role_required("counter")
def reject(public_id):
    form = CounterDecisionForm()
    if form.validate_on_submit():
        try:
            pending_checks.reject_at_counter(current_user, public_id, form.reason.data)
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash("已驳回，投资者将收到通知。", "success")
    else:
        flash("表单已失效，请刷新页面后重试。", "error")
    return redirect(url_for("counter_checks.index"))
