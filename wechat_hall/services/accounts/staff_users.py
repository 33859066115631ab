"""Staff sign-in rules: hashed passwords, the lockout of :mod:`lockout`, disabled accounts.

Also the rules an admin must respect when editing staff in the back office, so the
view only translates form fields into calls here.
"""
import logging
import re

from flask import current_app

from models import ROLES, StaffUser
from wechat_hall import sessions
from wechat_hall.extensions import db

from . import lockout
from .passwords import PasswordRejected, check_password_rules  # noqa: F401

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")

BAD_CREDENTIALS = "用户名或密码错误。"

log = logging.getLogger(__name__)


class LoginRefused(Exception):
    """Why a sign-in was refused; ``str(exc)`` is the message for the person."""


class BadCredentials(LoginRefused):
    """Unknown user or wrong password: one message for both, so names cannot be probed."""

    def __init__(self):
        super().__init__(BAD_CREDENTIALS)


class AccountLocked(LoginRefused):
    def __init__(self, minutes, just_locked=False):
        self.minutes = minutes
        if just_locked:
            message = f"密码连续输错次数过多，账号已锁定，请{minutes}分钟后再试。"
        else:
            message = f"账号已锁定，请{minutes}分钟后再试。"
        super().__init__(message)


class AccountDisabled(LoginRefused):
    def __init__(self):
        super().__init__("账号已停用，请联系管理员。")


class StaffRuleViolation(ValueError):
    """A back-office change to a staff account that the rules forbid."""


def authenticate(username, password):
    """The staff user for these credentials, or raise a LoginRefused with the reason.

    The lockout is :mod:`lockout`'s (the investors' too). A disabled account is only
    named as such after the right password (so nobody learns it exists otherwise).
    """
    username = (username or "").strip()
    user = db.session.execute(
        db.select(StaffUser).filter_by(username=username)).scalar_one_or_none()
    cfg = current_app.config
    try:
        now = lockout.check(user, password, limit=cfg["STAFF_MAX_FAILED_LOGINS"],
                            lock_minutes=cfg["STAFF_LOCK_MINUTES"], name=username, kind="staff")
    except (lockout.Unknown, lockout.WrongPassword):
        raise BadCredentials() from None
    except lockout.Locked as exc:
        if exc.just_locked:
            log.warning("staff login %r locked for %d minutes", username[:64], exc.minutes)
        raise AccountLocked(exc.minutes, exc.just_locked) from None
    if not user.is_active:
        raise AccountDisabled()
    lockout.signed_in(user, now)
    return user


# --- Back office: what an admin may do to a staff account --------------------------

def apply_admin_edit(actor, user, *, roles, password, reset_lock=False, is_new=False):
    """Apply the fields a scaffolded form cannot (roles, password, lock) and check the rules.

    ``user`` already carries the form's plain columns (username, name, office, active).
    Raises StaffRuleViolation or PasswordRejected; the caller rolls back.
    """
    username = (user.username or "").strip()
    if not USERNAME_RE.match(username):
        raise StaffRuleViolation("用户名须为2-64位字母、数字、下划线、点或连字符。")
    user.username = username
    query = db.select(StaffUser.id).filter(StaffUser.username == username)
    if user.id is not None:
        query = query.filter(StaffUser.id != user.id)
    with db.session.no_autoflush:
        clash = db.session.execute(query).first()
    if clash:
        raise StaffRuleViolation(f"用户名 {username} 已被使用。")

    chosen = [r for r in ROLES if r in set(roles or [])]
    unknown = set(roles or []) - set(ROLES)
    if unknown:
        raise StaffRuleViolation("角色无效：" + "、".join(sorted(unknown)))
    if not chosen:
        raise StaffRuleViolation("请至少选择一个角色。")

    if actor is not None and user.id is not None and user.id == actor.id:
        if "admin" not in chosen:
            raise StaffRuleViolation("不能取消自己的管理员角色。")
        if not user.active:
            raise StaffRuleViolation("不能停用自己的账号。")
    user.roles = " ".join(chosen)

    if password:
        check_password_rules(password)
        user.set_password(password)
    elif is_new:
        raise PasswordRejected("新建员工须设置初始密码。")
    if user.id is not None and (password or not user.active):
        sessions.revoke_all(f"staff:{user.id}")  # a reset or a disabled account signs out

    if not user.display_name:
        user.display_name = username
    if reset_lock:
        lockout.clear(user)
    return user
