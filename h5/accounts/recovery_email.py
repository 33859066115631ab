"""找回密码 by e-mail (ACC-7, 手机号（或电子邮箱）): the address typed on the first page gets
a code when an account holds it as its verified e-mail; the right code leads on to the
same steps as by phone (the identity check for an activated account, else straight to
the new password, then 找回密码信息确认).

Whether the address belongs to anyone is never told: every address gets the same pages
and answers (services/accounts/emails.py).
"""
from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from models.accounts import RECOVER
from wechat_hall.masking import mask_email
from wechat_hall.services.accounts import emails, sms_codes
from wechat_hall.services.accounts.hall_users import AccountError

from . import flow, sms_sending
from .forms import EmailCodeForm, refuse
from .verification_flow import ACCOUNT_EMAIL, STEPS

bp = Blueprint("recovery_email", __name__, url_prefix="/h5/account/recover/email")


def _sent_message(email):
    return f"若该电子邮箱已绑定在线用户，验证码已发送至{mask_email(email)}，请查收邮件。"


def begin(form):
    """From 找回密码's first page (its captcha solved): mail the code and go to the code
    page — ``(redirect, None)`` — or ``(None, why not)`` with the refusal on the form."""
    try:
        email = emails.send_recover_code(form.phone.data, request.remote_addr,
                                         requester=sms_sending.requester(),
                                         captcha_solved=True).phone
    except sms_codes.ResendTooSoon:  # the code sent a moment ago still works
        email = emails.normalize_email(form.phone.data, "phone")
    except AccountError as exc:
        return None, refuse(form, exc)
    except sms_codes.CodeRefused as exc:
        return None, str(exc)
    flow.drop(flow.CHECK, flow.RECOVER)
    flow.put(flow.RECOVER_EMAIL, email=email)
    return redirect(url_for("recovery_email.code")), None


@bp.route("", methods=["GET", "POST"])
def code():
    data = flow.get(flow.RECOVER_EMAIL)
    if not data or not data.get("email"):
        return redirect(url_for("recovery.start"))
    form = EmailCodeForm()
    error = None
    if form.validate_on_submit():
        try:
            user = emails.recovered_user(data["email"], form.code.data)
        except AccountError as exc:
            error = refuse(form, exc)
        else:
            flow.drop(flow.RECOVER_EMAIL, flow.CHECK)
            if user.is_activated:
                flow.put(flow.RECOVER, user_id=user.id, verified=False)
                return redirect(url_for("recovery.identity"))
            flow.put(flow.RECOVER, user_id=user.id, verified=True, check=None,
                     method=ACCOUNT_EMAIL)
            return redirect(url_for("recovery.password"))
    return render_template("accounts/recover_email.html", form=form, error=error,
                           message=_sent_message(data["email"]), steps=STEPS[RECOVER],
                           send_url=url_for("recovery_email.send_code"),
                           back_url=url_for("recovery.start"))


@bp.post("/code")
def send_code():
    """获取验证码 again (JSON), for the address of this flow."""
    data = flow.get(flow.RECOVER_EMAIL)
    if not data or not data.get("email"):
        return jsonify(ok=False, message="本次找回密码已超时，请从头开始办理。"), 400
    try:
        sent = emails.send_recover_code(data["email"], request.remote_addr,
                                        requester=sms_sending.requester(),
                                        captcha_solved=sms_sending.captcha_solved())
    except (AccountError, sms_codes.CodeRefused) as exc:
        return sms_sending.refused(exc)
    return sms_sending.sent(sent, _sent_message(sent.phone))
