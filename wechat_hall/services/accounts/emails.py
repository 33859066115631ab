"""The hall account's optional, verified e-mail address (PUB-2) and 找回密码 by it (ACC-7).

An address is saved only after the 6-digit code mailed to it was entered; one address
belongs to one account (a unique column). The codes are the SMS codes' machinery
(sms_codes.issue / check: the same resend throttle, daily caps, captcha brake and
attempts, all in Redis, only HMACs stored) with their own purposes, sent by the mailer
adapter instead of the SMS gateway.

找回密码 by e-mail never tells whether an address belongs to an account: an unknown one
takes the same limits, gets the same answer ("若该电子邮箱已绑定…，验证码已发送") and even
a stored code that is mailed to nobody, so a wrong entry is answered alike too.
"""
import logging
import re
import unicodedata

from sqlalchemy.exc import IntegrityError

from models import HallUser
from wechat_hall import adapters
from wechat_hall.extensions import db
from wechat_hall.masking import mask_email

from . import sms_codes
from .hall_users import AccountError

log = logging.getLogger(__name__)

MAX_LENGTH = 254
# Local part and domain, the forms people actually use; no quoted local parts, no IP
# literals, a dot in the domain and a letter TLD.
EMAIL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                      r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$")
SUBJECT = "中国结算在线用户验证码"


class InvalidEmail(AccountError):
    def __init__(self, field="email"):
        super().__init__("请输入正确的电子邮箱地址，例如 name@example.com", field)


def looks_like_email(raw):
    """Whether what was typed into 手机号（或电子邮箱） is meant as an e-mail address."""
    return "@" in unicodedata.normalize("NFKC", str(raw or ""))


def normalize_email(raw, field="email"):
    """The address as stored: NFKC, trimmed, lower case. Raises InvalidEmail."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip().lower()
    if len(text) > MAX_LENGTH or not EMAIL_RE.match(text) or len(text.partition("@")[0]) > 64:
        raise InvalidEmail(field)
    return text


def user_by_email(email):
    return db.session.execute(db.select(HallUser).filter_by(email=email)).scalar_one_or_none()


def check_email_free(user, email, field="email"):
    """The address may become ``user``'s: not held by another account, not already hers."""
    holder = user_by_email(email)
    if holder is not None and holder.id != user.id:
        raise AccountError("该电子邮箱已被其他账户使用，请使用其他邮箱", field)
    if holder is not None:
        raise AccountError("该电子邮箱已是您当前的邮箱", field)


def _deliver(email, purpose):
    def deliver(code, minutes):
        adapters.mail().send(email, SUBJECT, (
            f"您的验证码为{code}，用于{sms_codes.PURPOSES[purpose]}，{minutes}分钟内有效。"
            "如非本人操作，请忽略本邮件。\n\n中国结算"))
    return deliver


def send_set_code(user, raw, ip, requester=None, captcha_solved=False):
    """The code for making ``raw`` the user's address. Returns the SentCode (``phone`` is
    the normalised address)."""
    email = normalize_email(raw)
    check_email_free(user, email)
    return sms_codes.issue(email, sms_codes.EMAIL_SET, ip, requester, captcha_solved,
                           _deliver(email, sms_codes.EMAIL_SET), mask_email(email), who="email")


def set_email(user, raw, code):
    """Save the address once its code is right. AccountError (field ``email`` or ``code``)."""
    email = normalize_email(raw)
    check_email_free(user, email)
    try:
        sms_codes.check(email, sms_codes.EMAIL_SET, code, mask_email)
    except sms_codes.CodeRefused as exc:
        raise AccountError(str(exc), "code") from None
    user.email = email
    try:
        db.session.commit()
    except IntegrityError:  # another account saved it in the meantime
        db.session.rollback()
        raise AccountError("该电子邮箱已被其他账户使用，请使用其他邮箱", "email") from None
    log.info("user %s set e-mail %s", user.id, mask_email(email))
    return email


def remove_email(user):
    user.email = None
    db.session.commit()


def _nowhere(code, minutes):
    """An address no account holds: the code is stored, and mailed to nobody."""


def send_recover_code(raw, ip, requester=None, captcha_solved=False):
    """找回密码: the code to the account holding ``raw`` — or, for an address nobody holds,
    the same limits taken and nothing sent. Returns the SentCode (``phone``: the address)."""
    email = normalize_email(raw, "phone")
    deliver = _deliver(email, sms_codes.EMAIL_RECOVER) if user_by_email(email) else _nowhere
    return sms_codes.issue(email, sms_codes.EMAIL_RECOVER, ip, requester, captcha_solved,
                           deliver, mask_email(email), who="email")


def recovered_user(email, code):
    """The account whose address got this code, or AccountError (field ``code``)."""
    try:
        sms_codes.check(email, sms_codes.EMAIL_RECOVER, code, mask_email)
    except sms_codes.CodeRefused as exc:
        raise AccountError(str(exc), "code") from None
    user = user_by_email(email)
    if user is None:  # removed since the code went out
        raise AccountError(str(sms_codes.CodeMissing()), "code")
    return user
