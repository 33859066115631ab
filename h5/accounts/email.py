"""电子邮箱 on 个人基本信息 (PUB-2): set or change it (a code mailed to the new address
must be entered first), or delete it. The rules are in services/accounts/emails.py."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from h5.identity import current_user, login_required
from wechat_hall.masking import mask_email
from wechat_hall.services.accounts import emails, sms_codes
from wechat_hall.services.accounts.hall_users import AccountError

from . import sms_sending
from .forms import EmailForm, EmptyForm, refuse

bp = Blueprint("email", __name__, url_prefix="/h5/profile/email")


@bp.route("", methods=["GET", "POST"])
@login_required
def edit():
    user = current_user()
    form = EmailForm()
    error = None
    if form.validate_on_submit():
        try:
            email = emails.set_email(user, form.email.data, form.code.data)
        except AccountError as exc:
            error = refuse(form, exc)
        else:
            flash(f"电子邮箱已设置为{mask_email(email)}。", "success")
            return redirect(url_for("profile.show"))
    return render_template("accounts/email.html", form=form, error=error,
                           current=mask_email(user.email) if user.email else None,
                           delete_form=EmptyForm(), back_url=url_for("profile.show"),
                           send_url=url_for("email.send_code"))


@bp.post("/code")
def send_code():
    """获取验证码 (JSON): the address typed on the page (the button posts it as ``phone``)."""
    user = current_user()
    if user is None:
        return jsonify(ok=False, message="请先登录"), 400
    try:
        sent = emails.send_set_code(user, request.form.get("phone", ""), request.remote_addr,
                                     requester=sms_sending.requester(),
                                     captcha_solved=sms_sending.captcha_solved())
    except (AccountError, sms_codes.CodeRefused) as exc:
        return sms_sending.refused(exc)
    return sms_sending.sent(sent, f"验证码已发送至{mask_email(sent.phone)}，请查收邮件")


@bp.post("/delete")
@login_required
def delete():
    if not EmptyForm().validate_on_submit():
        abort(400)
    emails.remove_email(current_user())
    flash("电子邮箱已删除。", "success")
    return redirect(url_for("profile.show"))
