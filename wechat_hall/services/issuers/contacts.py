"""Issuer contacts signing in at /issuer/: password (under the hall's lockout), then a
TOTP code (RFC 6238, pyotp) — each code accepted once — and what a contact may see:
its own issuer's securities only."""
import logging
from datetime import timedelta

import pyotp
from flask import abort, current_app

from models import IssuerContact, IssuerSecurity, Security
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.accounts import lockout

log = logging.getLogger(__name__)
BAD_CREDENTIALS = "用户名或密码错误。"
TOTP_ISSUER = "中国结算发行人服务"


class LoginRefused(Exception):
    """Why a sign-in was refused; ``str(exc)`` is the message for the person."""


def authenticate(login, password):
    """The contact for these credentials (first factor), or LoginRefused."""
    login = (login or "").strip()
    contact = db.session.execute(
        db.select(IssuerContact).filter_by(login=login)).scalar_one_or_none()
    cfg = current_app.config
    try:
        lockout.check(contact, password, limit=cfg["STAFF_MAX_FAILED_LOGINS"],
                      lock_minutes=cfg["STAFF_LOCK_MINUTES"], name=login, kind="issuer")
    except (lockout.Unknown, lockout.WrongPassword):
        raise LoginRefused(BAD_CREDENTIALS) from None
    except lockout.Locked as exc:
        raise LoginRefused(f"账号已锁定，请{exc.minutes}分钟后再试。") from None
    if not contact.active:
        raise LoginRefused("账号已停用，请联系中国结算发行人业务部。")
    return contact


def totp_of(contact):
    return pyotp.TOTP(contact.totp_secret)


def provisioning_uri(contact):
    """For an authenticator app (shown once when the desk sets the contact up)."""
    return totp_of(contact).provisioning_uri(name=contact.login, issuer_name=TOTP_ISSUER)


def verify_second_factor(contact, code):
    """Accept a 6-digit TOTP code once (±1 step of 30 s); LoginRefused otherwise. A wrong
    code counts towards the lockout as a wrong password does."""
    code = "".join(ch for ch in str(code or "") if not ch.isspace())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise LoginRefused("请输入6位动态口令。")
    minutes = lockout.minutes_left(contact)
    if minutes:  # locked meanwhile (another sign-in's wrong codes): no code helps
        raise LoginRefused(f"账号已锁定，请{minutes}分钟后再试。")
    totp = totp_of(contact)
    now = clock.timestamp()
    step = int(now // totp.interval)
    for offset in (0, -1, 1):
        candidate = step + offset
        if candidate > contact.totp_last_step and totp.at(candidate * totp.interval) == code:
            contact.totp_last_step = candidate
            lockout.signed_in(contact, clock.utcnow())  # commits
            return contact
    contact.failed_logins += 1
    if contact.failed_logins >= current_app.config["STAFF_MAX_FAILED_LOGINS"]:
        contact.failed_logins = 0
        contact.locked_until = clock.utcnow() + timedelta(
            minutes=current_app.config["STAFF_LOCK_MINUTES"])
        db.session.commit()
        raise LoginRefused("动态口令连续输错次数过多，账号已锁定。")
    db.session.commit()
    raise LoginRefused("动态口令错误或已使用，请输入验证器上的最新口令。")


def securities_of(issuer_id):
    """The issuer's securities, by code."""
    return db.session.execute(
        db.select(Security).join(IssuerSecurity, IssuerSecurity.security_id == Security.id)
        .where(IssuerSecurity.issuer_id == issuer_id).order_by(Security.code)).scalars().all()


def own_security(issuer_id, code):
    """The issuer's security with this code, or None (another issuer's code is None too)."""
    code = (code or "").strip()
    return next((s for s in securities_of(issuer_id) if s.code == code), None)


def chosen_security(issuer_id, code):
    """What a query page asked for: ``(the issuer's securities, the one chosen, error)``.
    No code: the first of them; another issuer's code (or an unknown one): None and the
    message to show."""
    securities = securities_of(issuer_id)
    code = (code or "").strip()
    if not code:
        return securities, (securities[0] if securities else None), None
    security = next((s for s in securities if s.code == code), None)
    return securities, security, None if security else f"证券代码“{code}”不是贵公司的证券"


def owned_or_404(model, row_id, issuer_id):
    """A row of ``model`` that belongs to the issuer; anything else is a 404."""
    row = db.session.get(model, row_id)
    if row is None or row.issuer_id != issuer_id:
        abort(404)
    return row
