"""Investors' hall accounts (ACC-1..7): register, log in, bind WeChat, change the
password or phone, deregister, set a new password after recovery.

The SMS codes and identity checks that guard these steps are verified by the caller
(``sms_codes``, ``identity_checks``) before it calls in here; the rules of the account
itself are here. Every refusal is an :class:`AccountError` whose ``str`` is the message
for the person; nothing is written when one is raised.
"""
import logging
import re
import unicodedata
from datetime import timedelta

from flask import current_app
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from models import AgreementAcceptance, HallUser, PhoneChange
from wechat_hall import clock, sessions
from wechat_hall.extensions import db
from wechat_hall.masking import mask_phone

from . import lockout
from .passwords import PasswordRejected, check_new_password
from .sms_codes import InvalidPhone, normalize_phone

log = logging.getLogger(__name__)

# What a registering user accepts (ACC-1): code → (title, version). A new version of a
# text gets a new version string; the acceptance rows say which one each user saw.
AGREEMENTS = {
    "register_notice": ("网上注册须知", "2021.12"),
    "service_agreement": ("在线用户服务协议", "2021.12"),
}

NICKNAME_HINT = "2-16位中文、字母、数字或下划线，不能为纯数字"
NICKNAME_RE = re.compile(r"^[\u4e00-\u9fa5A-Za-z0-9_]{2,16}$")
PHONE_CHANGES_PER_MONTH = 3
PHONE_CHANGE_WINDOW = timedelta(days=30)  # 一个月内: the last 30 days
# 一个月内最多变更三次, in the seed's words: what the page, the refusal and the chat say.
PHONE_CHANGE_RULE = "一个月内最多变更{}次".format(
    "零一二三四五六七八九十"[PHONE_CHANGES_PER_MONTH] if PHONE_CHANGES_PER_MONTH <= 10
    else PHONE_CHANGES_PER_MONTH)


class AccountError(Exception):
    """A refused account step; ``field`` names the form field the message belongs to."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class LoginLocked(AccountError):
    def __init__(self, minutes, just_locked=False):
        self.minutes = minutes
        prefix = "密码连续输错次数过多，" if just_locked else ""
        super().__init__(f"{prefix}账户已锁定，请{minutes}分钟后再试，或通过“找回密码”重置密码。")


def phone_of(raw, field="phone"):
    try:
        return normalize_phone(raw)
    except InvalidPhone as exc:
        raise AccountError(str(exc), field) from None


def check_nickname(raw):
    """The nickname as stored (None when left empty), or AccountError."""
    nickname = unicodedata.normalize("NFKC", raw or "").strip()
    if not nickname:
        return None
    if not NICKNAME_RE.match(nickname) or nickname.isdigit():
        raise AccountError(f"昵称格式不正确：{NICKNAME_HINT}", "nickname")
    return nickname


def user_by_phone(phone):
    return db.session.execute(db.select(HallUser).filter_by(phone=phone)).scalar_one_or_none()


def user_by_openid(openid):
    if not openid:
        return None
    return db.session.execute(db.select(HallUser).filter_by(openid=openid)).scalar_one_or_none()


def check_phone_free(phone, field="phone"):
    if user_by_phone(phone) is not None:
        raise AccountError("该手机号已注册，请直接登录或使用其他手机号", field)


def check_passwords(password, confirm, field="password"):
    try:
        check_new_password(password, confirm)
    except PasswordRejected as exc:
        raise AccountError(str(exc), field) from None


# -- ACC-1 ----------------------------------------------------------------------------

def register(phone, nickname, password, confirm, ip=None, openid=None):
    """Create the account; the caller has verified the SMS code for ``phone``.

    With ``openid`` (registered inside WeChat) the account is bound to that WeChat user
    at once, unless the openid already belongs to another account.
    """
    phone = phone_of(phone)
    nickname = check_nickname(nickname)
    check_passwords(password, confirm)
    check_phone_free(phone)
    now = clock.utcnow()
    user = HallUser(phone=phone, nickname=nickname, created_at=now, password_changed_at=now)
    user.set_password(password)
    if openid and user_by_openid(openid) is None:
        user.openid, user.bound_at = openid, now
    for code, (_title, version) in AGREEMENTS.items():
        user.agreements.append(AgreementAcceptance(code=code, version=version,
                                                   accepted_at=now, ip=ip))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same phone (or openid) registered a moment ago
        db.session.rollback()
        raise AccountError("该手机号已注册，请直接登录或使用其他手机号", "phone") from None
    log.info("hall user registered: %s", mask_phone(phone))
    return user


# -- ACC-2 ----------------------------------------------------------------------------

BAD_CREDENTIALS = "手机号或密码错误"


def authenticate(phone, password):
    """The user for phone + password, or AccountError (LoginLocked while locked).

    The lockout is :mod:`lockout`'s (the staff's too). Until the lock, an unknown phone
    and a wrong password get the same words, and an unknown phone locks as an account
    does (issue 13 item 6): the answers never tell whether the phone is registered.
    """
    try:
        phone = normalize_phone(phone)
    except InvalidPhone:
        raise AccountError("请输入正确的11位手机号码", "phone") from None
    user = user_by_phone(phone)
    cfg = current_app.config
    try:
        now = lockout.check(user, password, limit=cfg.get("HALL_MAX_FAILED_LOGINS", 5),
                            lock_minutes=cfg.get("HALL_LOCK_MINUTES", 15),
                            name=phone, kind="hall")
    except (lockout.Unknown, lockout.WrongPassword):
        raise AccountError(BAD_CREDENTIALS) from None
    except lockout.Locked as exc:
        if exc.just_locked:
            log.warning("hall login %s locked for %d minutes", mask_phone(phone), exc.minutes)
        raise LoginLocked(exc.minutes, exc.just_locked) from None
    lockout.signed_in(user, now)
    return user


# -- ACC-3 ----------------------------------------------------------------------------

def registered_user(raw_phone, field="phone"):
    """The account a phone binds (ACC-3): the phone must be registered. The user, or
    AccountError — before an SMS code is sent, when the form is checked, and on binding."""
    user = user_by_phone(phone_of(raw_phone, field))
    if user is None:
        raise AccountError("该手机号尚未注册，请先注册账户", field)
    return user


def bindable_user(raw_phone, openid, field="phone"):
    """The account of ``raw_phone`` if ``openid`` may bind it (ACC-3), else AccountError:
    the phone is registered, its account is bound to no other WeChat, and this WeChat is
    bound to no other account. Asked before the bind SMS is sent (issue 13 item 9: no
    code goes to a phone whose account another WeChat holds), and again on binding."""
    user = registered_user(raw_phone, field)
    current = user_by_openid(openid)
    if current is not None and current.id != user.id:
        raise AccountError("当前微信已绑定其他账户，请先解除绑定")
    if user.openid and user.openid != openid:
        raise AccountError("该账户已绑定其他微信，请先在原微信中解除绑定", field)
    return user


def bind_wechat(phone, openid):
    """Bind ``openid`` to the account of ``phone`` (its SMS code was verified)."""
    user = bindable_user(phone, openid)
    phone = user.phone
    if user.openid != openid:
        user.openid, user.bound_at = openid, clock.utcnow()
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            raise AccountError("当前微信已绑定其他账户，请先解除绑定") from None
        log.info("hall user %s bound to wechat", mask_phone(phone))
    return user


def unbind_wechat(user):
    """Unbind; every session of the account ends, in every process."""
    if user.openid:
        user.openid, user.bound_at = None, None
        db.session.commit()
        log.info("hall user %s unbound from wechat", mask_phone(user.phone))
    sessions.revoke_all(f"hall:{user.id}")


# -- ACC-4 / ACC-7 --------------------------------------------------------------------

def change_password(user, old, new, confirm):
    if not user.check_password(old or ""):
        raise AccountError("原密码不正确", "old_password")
    if old == new:
        raise AccountError("新密码不能与原密码相同", "password")
    set_new_password(user, new, confirm)


def set_new_password(user, new, confirm):
    """Set the password; every other session of the user ends and a lock is lifted."""
    check_passwords(new, confirm)
    user.set_password(new)
    user.password_changed_at = clock.utcnow()
    user.session_epoch = (user.session_epoch or 0) + 1
    lockout.clear(user)
    db.session.commit()
    sessions.revoke_all(f"hall:{user.id}")
    log.info("hall user %s set a new password", mask_phone(user.phone))


# -- ACC-5 ----------------------------------------------------------------------------

def phone_changes_left(user, now=None):
    since = (now or clock.utcnow()) - PHONE_CHANGE_WINDOW
    used = db.session.execute(
        db.select(func.count(PhoneChange.id)).filter(
            PhoneChange.user_id == user.id, PhoneChange.changed_at > since)).scalar_one()
    return max(0, PHONE_CHANGES_PER_MONTH - used)


def check_phone_change(user, new_phone):
    """May ``user`` change to ``new_phone`` now? The normalised phone, or AccountError."""
    new_phone = phone_of(new_phone)
    if new_phone == user.phone:
        raise AccountError("新手机号不能与当前手机号相同", "phone")
    if phone_changes_left(user) <= 0:
        raise AccountError(f"{PHONE_CHANGE_RULE}手机号，您本月的变更次数已用完", "phone")
    check_phone_free(new_phone)
    return new_phone


def apply_phone_change(user, new_phone):
    """Change the phone (identity checked). Rechecked under a row lock: two confirmations
    at once cannot both pass the three-a-month rule."""
    db.session.execute(db.select(HallUser.id).filter_by(id=user.id).with_for_update())
    new_phone = check_phone_change(user, new_phone)
    old = user.phone
    user.phone = new_phone
    user.phone_changes.append(PhoneChange(old_phone_masked=mask_phone(old),
                                          new_phone_masked=mask_phone(new_phone)))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AccountError("该手机号已注册，请使用其他手机号", "phone") from None
    log.info("hall user phone changed %s → %s", mask_phone(old), mask_phone(new_phone))
    return user


# -- ACC-6 ----------------------------------------------------------------------------

def deregister(user):
    """Remove the account and its personal data; WeChat is unbound with it."""
    masked, owner = mask_phone(user.phone), f"hall:{user.id}"
    db.session.delete(user)
    db.session.commit()
    sessions.revoke_all(owner)
    log.info("hall user %s deregistered", masked)
