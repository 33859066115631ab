"""Back office of staff accounts: roles, office, lockout. The hash is never shown."""
from flask import flash
from flask_admin.actions import action
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms.validators import InputRequired, Optional, ValidationError

from models import StaffUser
from wechat_hall.extensions import db
from wechat_hall.services.accounts import lockout, staff_users

from .base import BackOfficeView, when
from .forms import Checkbox, PasswordInput, RolesField, password_policy, strip


def _roles(view, context, model, name):
    return model.role_labels


def _lock_state(view, context, model, name):
    left = lockout.minutes_left(model)
    if left:
        return Markup('<span class="badge badge-danger">锁定中（约{}分钟）</span>').format(left)
    if model.failed_logins:
        return escape(f"失败 {model.failed_logins} 次")
    return ""


class StaffUserView(BackOfficeView):
    """Staff accounts. The hash is never shown; the password is set, never read."""

    column_list = ["username", "display_name", "roles", "office", "active", "lock",
                   "last_login_at"]
    column_labels = {
        "username": "用户名", "display_name": "姓名", "roles": "角色", "office": "所属网点",
        "active": "启用", "lock": "登录锁定", "last_login_at": "最近登录",
        "password": "密码", "reset_lock": "解除登录锁定",
    }
    column_formatters = {"roles": _roles, "lock": _lock_state, "last_login_at": when}
    column_sortable_list = ["username", "display_name", "active", "last_login_at"]
    column_searchable_list = ["username", "display_name"]
    column_default_sort = "username"
    column_descriptions = {
        "username": "登录用，2-64位字母、数字、下划线、点或连字符",
        "active": "停用后该账号不能登录",
    }
    form_columns = ["username", "display_name", "office", "active"]
    form_args = {"username": {"filters": [strip]}, "display_name": {"filters": [strip]},
                 # WTForms 3.3 shows the blank choice's value ("__None") when it has no text.
                 "office": {"blank_text": "（不限网点）"}}
    form_widget_args = {"roles": {"class": "list-unstyled backoffice-roles"}}

    def get_create_form(self):
        class CreateForm(self.get_form()):
            roles = RolesField("角色", description="管理员拥有全部权限")
            password = PasswordInput("初始密码", validators=[
                InputRequired("请设置初始密码。"), password_policy],
                description="8-16位，至少包含字母、数字、符号中的两种")
        return CreateForm

    def get_edit_form(self):
        class EditForm(self.get_form()):
            roles = RolesField("角色", description="管理员拥有全部权限")
            password = PasswordInput("新密码", validators=[Optional(), password_policy],
                                     description="留空则不修改；8-16位，至少包含字母、数字、符号中的两种")
            reset_lock = Checkbox("解除登录锁定", description="清零失败次数并立即允许登录")
        return EditForm

    def on_model_change(self, form, model, is_created):
        try:
            staff_users.apply_admin_edit(
                current_user._get_current_object(), model,
                roles=form.roles.data, password=form.password.data,
                reset_lock=bool(getattr(form, "reset_lock", None) and form.reset_lock.data),
                is_new=is_created)
        except (staff_users.StaffRuleViolation, staff_users.PasswordRejected) as exc:
            raise ValidationError(str(exc))

    @action("unlock", "解除登录锁定", "确定解除所选员工的登录锁定吗？")
    def action_unlock(self, ids):
        users = db.session.query(StaffUser).filter(StaffUser.id.in_(ids)).all()
        for user in users:
            lockout.clear(user)
        db.session.commit()
        flash(f"已解除 {len(users)} 个账号的登录锁定。", "success")
