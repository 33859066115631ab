"""账户注册 / 登录 / 绑定 / 解除绑定 / 修改登录密码 / 变更手机号 / 用户注销 (ACC-1..6).

Both channels use these pages. The web hall (no WeChat identity in the session) asks for
the graphic captcha and registers on one page; inside WeChat registration takes two steps
(info → 下一步 → set password) and binds the new account to the WeChat user.
"""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

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
from models import HallUser
from models.accounts import CHANGE_PHONE, DEREGISTER
from wechat_hall.extensions import db
from wechat_hall.masking import mask_phone
from wechat_hall.services.accounts import hall_users, sms_codes
from wechat_hall.services.accounts.hall_users import AGREEMENTS, AccountError

from . import flow, verification
from .captcha import check_session_captcha
from .forms import (
    BindForm,
    ChangePasswordForm,
    EmptyForm,
    LoginForm,
    NewPhoneForm,
    PasswordStepForm,
    RegisterForm,
    refuse,
)

bp = Blueprint("accounts", __name__, url_prefix="/h5/account")

CAPTCHA_WRONG = "图形验证码错误，请重新输入"


def _captcha_ok(form, key):
    """Web hall only: the captcha of ``key``; a wrong one is put on the form's field."""
    if in_wechat():
        return True
    if check_session_captcha(key, form.captcha.data):
        return True
    form.captcha.errors = list(form.captcha.errors) + [CAPTCHA_WRONG]
    return False


def _code_ok(form, phone, purpose, field="code"):
    try:
        sms_codes.verify_code(phone, purpose, getattr(form, field).data)
        return True
    except sms_codes.CodeRefused as exc:
        getattr(form, field).errors = list(getattr(form, field).errors) + [str(exc)]
        return False


# -- ACC-1 ----------------------------------------------------------------------------

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
                if (wechat or _captcha_ok(form, "register")) and _code_ok(
                        form, phone, sms_codes.REGISTER):
                    if wechat:
                        flow.put(flow.REGISTER, phone=phone,
                                 nickname=hall_users.check_nickname(form.nickname.data))
                        return redirect(url_for("accounts.register_password"))
                    try:
                        user = hall_users.register(phone, form.nickname.data,
                                                      form.password.data, form.confirm.data,
                                                      ip=request.remote_addr)
                    except AccountError as exc:
                        error = refuse(form, exc)
                    else:
                        flow.put(flow.REGISTERED, user_id=user.id)
                        return redirect(url_for("accounts.register_done"))
    return render_template("accounts/register.html", form=form, error=error, wechat=wechat,
                           agreements=AGREEMENTS,
                           send_url=url_for("accounts.send_code", kind="register"))


@bp.route("/register/password", methods=["GET", "POST"])
def register_password():
    """WeChat step 2: set the password (the phone was verified in step 1)."""
    data = flow.get(flow.REGISTER)
    if not data:
        return redirect(url_for("accounts.register"))
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
            return redirect(url_for("accounts.register_done"))
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
                           back_url=url_for("accounts.register"))


# -- ACC-2 ----------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
def login():
    wechat = in_wechat()
    form = LoginForm()
    if wechat:
        del form.captcha
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit() and (wechat or _captcha_ok(form, "login")):
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
            phone = hall_users.registered_user(form.phone.data).phone
        except AccountError as exc:
            error = refuse(form, exc)
        else:
            if _code_ok(form, phone, sms_codes.BIND):
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
            hall_users.registered_user(phone)
            purpose = sms_codes.BIND
        elif kind == "change_phone":
            user = current_user()
            if user is None:
                raise AccountError("请先登录")
            hall_users.check_phone_change(user, phone)
            purpose = sms_codes.CHANGE_PHONE
        else:
            abort(404)
        sent = sms_codes.request_code(phone, purpose, request.remote_addr)
    except (AccountError, sms_codes.CodeRefused) as exc:
        return jsonify(ok=False, message=str(exc),
                       retry_after=getattr(exc, "retry_after", None)), 400
    return jsonify(ok=True, message=f"验证码已发送至{mask_phone(sent.phone)}",
                   resend_after=sent.resend_after)


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
            if _code_ok(form, phone, sms_codes.CHANGE_PHONE):
                flow.put(flow.NEW_PHONE, phone=phone)
                return verification.begin(CHANGE_PHONE, user,
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
                           steps=verification.STEPS[CHANGE_PHONE],
                           message=f"手机号已变更为{mask_phone(user.phone)}，请使用新手机号登录。",
                           link=url_for("profile.show"), link_label="返回个人信息")


# -- ACC-6 ----------------------------------------------------------------------------

@bp.route("/deregister", methods=["GET", "POST"])
@login_required
def deregister():
    user = current_user()
    form = EmptyForm()
    if form.validate_on_submit():
        return verification.begin(DEREGISTER, user,
                                  user.ymt_account if user.is_activated else None)
    return render_template("accounts/deregister.html", form=form, user=user,
                           phone=mask_phone(user.phone), back_url=url_for("profile.show"))


@bp.get("/deregister/done")
def deregister_done():
    return render_template("accounts/done.html", title="用户注销",
                           steps=verification.STEPS[DEREGISTER],
                           message="您的在线用户已注销，账户信息已删除，微信绑定已解除。",
                           link=url_for("hall.home"), link_label="返回首页")
