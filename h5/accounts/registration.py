"""账户注册 (ACC-1) and its agreements.

The web hall (no WeChat identity in the session) asks for the graphic captcha and
registers on one page; inside WeChat registration takes two steps (info → 下一步 → set
password) and binds the new account to the WeChat user. 获取验证码 on these pages is
``accounts.send_code`` (views.py).
"""
from flask import Blueprint, abort, redirect, render_template, request, url_for

from h5.identity import current_openid, in_wechat, log_in
from models import HallUser
from wechat_hall.extensions import db
from wechat_hall.masking import mask_phone
from wechat_hall.services.accounts import hall_users, sms_codes
from wechat_hall.services.accounts.hall_users import AGREEMENTS, AccountError

from . import flow
from .captcha import web_captcha_ok
from .forms import EmptyForm, PasswordStepForm, RegisterForm, refuse, sms_code_ok

bp = Blueprint("registration", __name__, url_prefix="/h5/account")


@bp.route("/register", methods=["GET", "POST"])
def register():
    wechat = in_wechat()
    form = RegisterForm()
    if wechat:
        del form.password, form.confirm, form.captcha
    error = None
    if form.validate_on_submit():
        if not form.agree.data:
            error = "请阅读并勾选同意《网上注册须知》和《在线用户服务协议》"
        else:
            try:
                phone = hall_users.phone_of(form.phone.data)
                hall_users.check_nickname(form.nickname.data)
                hall_users.check_phone_free(phone)
                if not wechat:
                    # Cheap checks first: a code is used up only when the rest is right.
                    hall_users.check_passwords(form.password.data, form.confirm.data)
            except AccountError as exc:
                error = refuse(form, exc)
            else:
                if (wechat or web_captcha_ok(form, "register")) and sms_code_ok(
                        form, phone, sms_codes.REGISTER):
                    if wechat:
                        flow.put(flow.REGISTER, phone=phone,
                                 nickname=hall_users.check_nickname(form.nickname.data))
                        return redirect(url_for("registration.register_password"))
                    try:
                        user = hall_users.register(phone, form.nickname.data,
                                                      form.password.data, form.confirm.data,
                                                      ip=request.remote_addr)
                    except AccountError as exc:
                        error = refuse(form, exc)
                    else:
                        flow.put(flow.REGISTERED, user_id=user.id)
                        return redirect(url_for("registration.register_done"))
    return render_template("accounts/register.html", form=form, error=error, wechat=wechat,
                           agreements=AGREEMENTS,
                           send_url=url_for("accounts.send_code", kind="register"))


@bp.route("/register/password", methods=["GET", "POST"])
def register_password():
    """WeChat step 2: set the password (the phone was verified in step 1)."""
    data = flow.get(flow.REGISTER)
    if not data:
        return redirect(url_for("registration.register"))
    form = PasswordStepForm()
    error = None
    if form.validate_on_submit():
        try:
            user = hall_users.register(data["phone"], data.get("nickname"), form.password.data,
                                          form.confirm.data, ip=request.remote_addr,
                                          openid=current_openid())
        except AccountError as exc:
            error = refuse(form, exc)
        else:
            flow.drop(flow.REGISTER)
            flow.put(flow.REGISTERED, user_id=user.id)
            return redirect(url_for("registration.register_done"))
    return render_template("accounts/register_password.html", form=form, error=error,
                           phone=mask_phone(data["phone"]))


@bp.get("/register/done")
def register_done():
    data = flow.get(flow.REGISTERED)
    user = db.session.get(HallUser, data["user_id"]) if data else None
    if user is None:
        return redirect(url_for("accounts.login"))
    return render_template("accounts/register_done.html", user=user, form=EmptyForm(),
                           wechat=in_wechat(), phone=mask_phone(user.phone),
                           bound=bool(user.openid and user.openid == current_openid()))


@bp.post("/register/login")
def register_login():
    """直接登录 / 立即登录 right after registering."""
    data = flow.get(flow.REGISTERED)
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = db.session.get(HallUser, data["user_id"]) if data else None
    if user is None:
        return redirect(url_for("accounts.login"))
    log_in(user)
    return redirect(url_for("hall.home"))


@bp.get("/agreements/<code>")
def agreement(code):
    if code not in AGREEMENTS:
        abort(404)
    title, version = AGREEMENTS[code]
    return render_template(f"accounts/agreement_{code}.html", title=title, version=version,
                           back_url=url_for("registration.register"))
