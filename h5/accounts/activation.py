"""绑定及激活一码通 (ACC-8), step 1 输入用户信息 and step 3 完成; step 2 is
h5/accounts/verification.py. Reached from 完善客户资料 (the profile page) or from any query of the
home grid while the account has no activated 一码通."""
from flask import Blueprint, redirect, render_template, request, session, url_for

from h5.identity import current_user, in_wechat, login_required, safe_next
from models.accounts import ACTIVATE
from wechat_hall.masking import mask_id_number, mask_name
from wechat_hall.services.accounts import id_numbers, identity_checks, pending_checks
from wechat_hall.services.accounts.hall_users import AccountError

from . import verification_flow
from .forms import IdentityForm, id_types_by_holder, refuse

bp = Blueprint("activation", __name__, url_prefix="/h5/ymt")

NEXT = "activation_next"


@bp.route("/activate", methods=["GET", "POST"])
@login_required
def start():
    user = current_user()
    if request.method == "GET" and request.args.get("next"):
        session[NEXT] = safe_next(request.args["next"])
    if user.is_activated:
        return redirect(url_for("activation.done"))
    wechat = in_wechat()
    form = IdentityForm()
    del form.captcha
    if wechat:
        form.for_wechat()
    error = None
    choices = None
    if form.validate_on_submit():
        try:
            usable = identity_checks.lookup_ymt(form.holder_type.data, form.id_type.data,
                                                form.id_number.data, wechat=wechat)
            chosen = request.form.get("ymt")
            if len(usable) > 1 and not chosen:
                choices = [(y.id, identity_checks.masked_ymt(y.number), y.branch.broker.name)
                           for y in usable]
            else:
                ymt = next((y for y in usable if str(y.id) == chosen), None) if chosen \
                    else usable[0]
                if ymt is None:
                    raise AccountError("请选择要绑定的一码通账户")
                identity_checks.check_ymt_free(user, ymt)
                return verification_flow.begin(ACTIVATE, user, ymt)
        except AccountError as exc:
            error = refuse(form, exc)
    return render_template("accounts/activate.html", form=form, error=error, wechat=wechat,
                           choices=choices, steps=verification_flow.STEPS[ACTIVATE],
                           id_types=id_types_by_holder())


@bp.get("/done")
@login_required
def done():
    user = current_user()
    if not user.is_activated:
        pending = pending_checks.pending_of(user, ACTIVATE)
        if pending is not None:
            return redirect(url_for("verify.pending", public_id=pending.public_id))
        return redirect(url_for("activation.start"))
    ymt, investor = user.ymt_account, user.investor
    target = session.pop(NEXT, None)
    return render_template("accounts/activated.html", ymt=identity_checks.masked_ymt(ymt.number),
                           name=mask_name(investor.name),
                           id_type=id_numbers.id_type_label(investor.id_type),
                           id_number=mask_id_number(investor.id_number),
                           accounts=ymt.securities_accounts, next_url=target,
                           steps=verification_flow.STEPS[ACTIVATE])
