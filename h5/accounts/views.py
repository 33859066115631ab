"""登录 / 绑定 / 解除绑定 / 修改登录密码 / 变更手机号 / 用户注销 (ACC-2..6), and 获取验证码 for
these pages and registration's.

Both channels use these pages. The web hall (no WeChat identity in the session) asks for
the graphic captcha at login. 账户注册 (ACC-1) is registration.py.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from h5.identity import (
    current_openid,
    current_user,
    in_wechat,
    log_in,
    log_out,
    login_required,
    openid_required,
    safe_next,
)
from models.accounts import CHANGE_PHONE, DEREGISTER
from wechat_hall.masking import mask_phone
from wechat_hall.rate_limits import limited
from wechat_hall.services.accounts import hall_users, sms_codes
from wechat_hall.services.accounts.hall_users import AccountError

from . import flow, sms_sending, verification_flow
from .captcha import web_captcha_ok
from .forms import (
    BindForm,
    ChangePasswordForm,
    EmptyForm,
    LoginForm,
    NewPhoneForm,
    refuse,
    sms_code_ok,
)

bp = Blueprint("accounts", __name__, url_prefix="/h5/account")


# -- ACC-2 ----------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@limited("login_address", "login_openid")
def login():
    wechat = in_wechat()
    form = LoginForm()
    if wechat:
        del form.captcha
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit() and (wechat or web_captcha_ok(form, "login")):
        try:
            user = hall_users.authenticate(form.phone.data, form.password.data)
        except AccountError as exc:
            error = refuse(form, exc)
        else:
            log_in(user)
            return redirect(safe_next(form.next.data))
    return render_template("accounts/login.html", form=form, error=error, wechat=wechat)


@bp.post("/logout")
def logout():
    if not EmptyForm().validate_on_submit():
        abort(400)
    log_out()
    flash("您已安全退出。", "info")
    return redirect(url_for("hall.home"))


# -- ACC-3 ----------------------------------------------------------------------------

@bp.route("/bind", methods=["GET", "POST"])
@openid_required
def bind():
    openid = current_openid()
    bound = hall_users.user_by_openid(openid)
    if bound is not None:
        return render_template("accounts/unbind.html", user=bound, phone=mask_phone(bound.phone),
                               form=EmptyForm())
    form = BindForm()
    error = None
    if form.validate_on_submit():
        try:
            phone = hall_users.bindable_user(form.phone.data, openid).phone
        except AccountError as exc:
            error = refuse(form, exc)
        else:
            if sms_code_ok(form, phone, sms_codes.BIND):
                try:
                    user = hall_users.bind_wechat(phone, openid)
                except AccountError as exc:
                    error = refuse(form, exc)
                else:
                    log_in(user)
                    flash("绑定成功，您可以在微信中直接使用营业厅服务。", "success")
                    return redirect(url_for("hall.home"))
    return render_template("accounts/bind.html", form=form, error=error,
                           send_url=url_for("accounts.send_code", kind="bind"))


@bp.post("/unbind")
@openid_required
def unbind():
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = hall_users.user_by_openid(current_openid())
    if user is not None:
        hall_users.unbind_wechat(user)
    log_out()
    flash("已解除绑定。", "success")
    return redirect(url_for("accounts.bind"))


# -- SMS codes of these pages -----------------------------------------------------------

@bp.post("/sms/<kind>")
def send_code(kind):
    """获取验证码 (JSON): the phone typed on the page, checked for what the page needs."""
    try:
        phone = hall_users.phone_of(request.form.get("phone", ""))
        if kind == "register":
            hall_users.check_phone_free(phone)
            purpose = sms_codes.REGISTER
        elif kind == "bind":
            if not current_openid():
                raise AccountError("请在微信中打开本页面")
            hall_users.bindable_user(phone, current_openid())
            purpose = sms_codes.BIND
        elif kind == "change_phone":
            user = current_user()
            if user is None:
                raise AccountError("请先登录")
            hall_users.check_phone_change(user, phone)
            purpose = sms_codes.CHANGE_PHONE
        else:
            abort(404)
        sent = sms_sending.send(phone, purpose)
    except (AccountError, sms_codes.CodeRefused) as exc:
        return sms_sending.refused(exc)
    return sms_sending.sent(sent)


# -- ACC-4 ----------------------------------------------------------------------------

@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user()
    form = ChangePasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            hall_users.change_password(user, form.old_password.data, form.password.data,
                                          form.confirm.data)
        except AccountError as exc:
            error = refuse(form, exc)
        else:
            log_in(user)  # this session goes on with the new epoch; the others end
            flash("登录密码修改成功。", "success")
            return redirect(url_for("profile.show"))
    return render_template("accounts/change_password.html", form=form, error=error,
                           back_url=url_for("profile.show"))


# -- ACC-5 ----------------------------------------------------------------------------

@bp.route("/phone", methods=["GET", "POST"])
@login_required
def change_phone():
    user = current_user()
    form = NewPhoneForm()
    error = None
    left = hall_users.phone_changes_left(user)
    if form.validate_on_submit():
        try:
            phone = hall_users.check_phone_change(user, form.phone.data)
        except AccountError as exc:
            error = refuse(form, exc)
        else:
            if sms_code_ok(form, phone, sms_codes.CHANGE_PHONE):
                flow.put(flow.NEW_PHONE, phone=phone)
                return verification_flow.begin(CHANGE_PHONE, user,
                                          user.ymt_account if user.is_activated else None,
                                          new_phone=phone)
    return render_template("accounts/change_phone.html", form=form, error=error, left=left,
                           rule=hall_users.PHONE_CHANGE_RULE,
                           limit=hall_users.PHONE_CHANGES_PER_MONTH,
                           current=mask_phone(user.phone), back_url=url_for("profile.show"),
                           send_url=url_for("accounts.send_code", kind="change_phone"))


@bp.get("/phone/done")
@login_required
def phone_done():
    user = current_user()
    return render_template("accounts/done.html", title="变更手机号",
                           steps=verification_flow.STEPS[CHANGE_PHONE],
                           message=f"手机号已变更为{mask_phone(user.phone)}，请使用新手机号登录。",
                           link=url_for("profile.show"), link_label="返回个人信息")


# -- ACC-6 ----------------------------------------------------------------------------

@bp.route("/deregister", methods=["GET", "POST"])
@login_required
def deregister():
    user = current_user()
    form = EmptyForm()
    if form.validate_on_submit():
        return verification_flow.begin(DEREGISTER, user,
                                  user.ymt_account if user.is_activated else None)
    return render_template("accounts/deregister.html", form=form, user=user,
                           phone=mask_phone(user.phone), back_url=url_for("profile.show"))


@bp.get("/deregister/done")
def deregister_done():
    return render_template("accounts/done.html", title="用户注销",
                           steps=verification_flow.STEPS[DEREGISTER],
                           message="您的在线用户已注销，账户信息已删除，微信绑定已解除。",
                           link=url_for("hall.home"), link_label="返回首页")
