"""个人基本信息 (PUB-2): avatar and name → 修改登录密码, 手机号, 电子邮箱 (email.py); and the account's other
doors (完善客户资料 / 一码通, 微信绑定, 用户注销 on the web hall, 退出登录)."""
from flask import Blueprint, render_template

from h5.identity import current_user, in_wechat, login_required
from models.accounts import ACTIVATE
from wechat_hall.masking import mask_email, mask_id_number, mask_name, mask_phone
from wechat_hall.services.accounts import hall_users, id_numbers, identity_checks, pending_checks

from .forms import EmptyForm

bp = Blueprint("profile", __name__, url_prefix="/h5")


@bp.get("/profile")
@login_required
def show():
    user = current_user()
    investor = user.investor
    name = mask_name(investor.name) if investor else (user.nickname or mask_phone(user.phone))
    return render_template(
        "accounts/profile.html", user=user, name=name, phone=mask_phone(user.phone),
        email=mask_email(user.email) if user.email else None,
        investor=investor, wechat=in_wechat(), form=EmptyForm(),
        ymt=identity_checks.masked_ymt(user.ymt_account.number) if user.is_activated else None,
        id_type=id_numbers.id_type_label(investor.id_type) if investor else None,
        id_number=mask_id_number(investor.id_number) if investor else None,
        pending=pending_checks.pending_of(user, ACTIVATE),
        changes_left=hall_users.phone_changes_left(user))
