"""找回密码 (ACC-7).

Not activated: phone + captcha → SMS code to that phone → new password.
By e-mail (手机号（或电子邮箱）): address + captcha → code mailed to the account's verified
address (recovery_email.py) → activated: the identity step below; not activated: the new
password.
Activated: phone + captcha → 用户类型, 证件类型, 证件号码 (+ captcha) → any ACC-8 check →
new password → confirmation. A trade-order or counter check passes later; the user then
comes back the same way and goes straight to the new password (the passed check counts
for ``RECOVER_GRACE``).
"""
from datetime import timedelta

from flask import Blueprint, redirect, render_template, request, url_for

from h5.identity import in_wechat
from models import HallUser, IdentityVerification
from models.accounts import RECOVER, VERIFIED
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.masking import mask_phone
from wechat_hall.services.accounts import emails, hall_users, identity_checks
from wechat_hall.services.accounts.hall_users import AccountError

from . import confirmation, flow, recovery_email, verification_flow
from .captcha import captcha_field_ok
from .forms import IdentityForm, NewPasswordForm, RecoverStartForm, id_types_by_holder, refuse

bp = Blueprint("recovery", __name__, url_prefix="/h5/account/recover")

RECOVER_GRACE = timedelta(days=7)


def _passed_check(user):
    """A passed, unused 找回密码 check of the user (trade feed or counter), if any."""
    return db.session.execute(db.select(IdentityVerification).filter(
        IdentityVerification.user_id == user.id, IdentityVerification.purpose == RECOVER,
        IdentityVerification.status == VERIFIED, IdentityVerification.applied_at.is_(None),
        IdentityVerification.decided_at > clock.utcnow() - RECOVER_GRACE)
        .order_by(IdentityVerification.id.desc())).scalars().first()


def _user():
    data = flow.get(flow.RECOVER)
    return (db.session.get(HallUser, data["user_id"]) if data else None), data


@bp.route("", methods=["GET", "POST"])
def start():
    form = RecoverStartForm()
    error = None
    if form.validate_on_submit() and captcha_field_ok(form, "recover"):
        if emails.looks_like_email(form.phone.data):
            mailed, error = recovery_email.begin(form)
            if mailed is not None:
                return mailed
            return render_template("accounts/recover_start.html", form=form, error=error)
        try:
            phone = hall_users.phone_of(form.phone.data)
            user = hall_users.user_by_phone(phone)
            if user is None:
                raise AccountError("该手机号未注册在线用户，请核对或直接注册", "phone")
        except AccountError as exc:
            error = refuse(form, exc)
        else:
            flow.drop(flow.CHECK, flow.RECOVER_EMAIL)
            if user.is_activated:
                flow.put(flow.RECOVER, user_id=user.id, verified=False)
                return redirect(url_for("recovery.identity"))
            flow.put(flow.RECOVER, user_id=user.id, verified=False)
            return verification_flow.begin(RECOVER, user)
    return render_template("accounts/recover_start.html", form=form, error=error)


@bp.route("/identity", methods=["GET", "POST"])
def identity():
    """Activated accounts: who is the holder of the bound 一码通?"""
    user, _data = _user()
    if user is None or not user.is_activated:
        return redirect(url_for("recovery.start"))
    form = IdentityForm()
    if in_wechat():
        form.for_wechat()
    error = None
    if form.validate_on_submit() and captcha_field_ok(form, "recover_identity"):
        try:
            ymt = identity_checks.ymt_of_user_identity(user, form.holder_type.data,
                                                       form.id_type.data, form.id_number.data)
        except AccountError as exc:
            error = refuse(form, exc)
        else:
            passed = _passed_check(user)
            if passed is not None:
                flow.put(flow.RECOVER, user_id=user.id, verified=True, check=passed.public_id,
                          method=passed.method)
                return redirect(url_for("recovery.password"))
            return verification_flow.begin(RECOVER, user, ymt)
    return render_template("accounts/recover_identity.html", form=form, error=error,
                           phone=mask_phone(user.phone), wechat=in_wechat(),
                           id_types=id_types_by_holder())


class _RecoverContext(verification_flow.Context):
    """The account whose password is reset, for 找回密码信息确认 (its bound 一码通 shown)."""

    def __init__(self, user):
        super().__init__({"purpose": RECOVER, "user_id": user.id,
                          "ymt_id": user.ymt_account_id if user.is_activated else None})


@bp.route("/password", methods=["GET", "POST"])
def password():
    user, data = _user()
    if user is None or not data.get("verified"):
        return redirect(url_for("recovery.start"))
    form = NewPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            hall_users.check_passwords(form.password.data, form.confirm.data)
            if request.form.get("step") != "confirm":  # 找回密码信息确认 first
                return confirmation.page(
                    _RecoverContext(user), data.get("method"), url_for("recovery.password"),
                    url_for("recovery.password"),
                    hidden=(("password", form.password.data), ("confirm", form.confirm.data),
                            ("step", "confirm")))
            hall_users.set_new_password(user, form.password.data, form.confirm.data)
        except AccountError as exc:
            error = refuse(form, exc)
        else:
            if data.get("check"):
                row = db.session.execute(db.select(IdentityVerification).filter_by(
                    public_id=data["check"], user_id=user.id)).scalar_one_or_none()
                if row is not None:
                    row.applied_at = clock.utcnow()
                    db.session.commit()
            flow.drop(flow.RECOVER)
            return redirect(url_for("recovery.done"))
    return render_template("accounts/recover_password.html", form=form, error=error,
                           steps=verification_flow.STEPS[RECOVER])


@bp.get("/done")
def done():
    return render_template("accounts/done.html", title="找回密码",
                           steps=verification_flow.STEPS[RECOVER],
                           message="密码已重置，请使用新密码登录。",
                           link=url_for("accounts.login"), link_label="立即登录")
