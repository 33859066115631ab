"""Setting up issuers and their contacts (the registrar's side of ISS-2): an issuer with
its securities and annual fees, a contact with a password and a fresh TOTP secret, a
reset of both, and switching a contact off and on.

Used by the issuer desk's pages (``h5/issuers/desk_setup.py``) and ``flask issuer …``
alike, so a rule is written once. Everything is checked before a row is written; a
refusal is :class:`SetupRefused` with the message for the person, and the caller rolls
back. The secret and the password leave here once, in :class:`Enrolment`, for the page
or the terminal to show; only the hash and the secret stay in the database.
"""
import logging
import re
import secrets
import string
from dataclasses import dataclass

import pyotp

from models import Issuer, IssuerContact, IssuerSecurity, Security
from models.registry import MARKETS
from wechat_hall import clock, sessions
from wechat_hall.extensions import db
from wechat_hall.services.accounts import lockout
from wechat_hall.services.accounts.passwords import PasswordRejected, check_password_rules
from wechat_hall.services.errors import Rejected
from wechat_hall.services.issuers import contacts, fees

log = logging.getLogger(__name__)

LOGIN_RE = re.compile(r"[A-Za-z0-9_.\-]{2,64}")
CODE_RE = re.compile(r"\d{6}")
PHONE_RE = re.compile(r"1\d{10}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_CODES = 20


class SetupRefused(Rejected):
    """Why an issuer or contact was not set up; ``str(exc)`` is the message."""


# A commit that lost a race (two desks took the same login or code between the check and
# the commit: the unique indexes decide); the caller has rolled back.
RACE_LOST = "保存失败：该登录名或证券代码刚被他人占用，请刷新后重试"


@dataclass
class Enrolment:
    """What the contact needs once: the secret for the authenticator app (its otpauth
    URI, the QR code's text) and the initial password when it was generated here."""

    contact: IssuerContact
    secret: str
    uri: str
    password: str | None = None


def _text(value, label, limit, required=True):
    value = (value if isinstance(value, str) else "").strip()
    if CONTROL.search(value):
        raise SetupRefused(f"{label}不能包含控制字符")
    if required and not value:
        raise SetupRefused(f"请填写{label}")
    if len(value) > limit:
        raise SetupRefused(f"{label}最多{limit}个字")
    return value


def parse_codes(raw):
    """The codes of a form field or the CLI: separated by spaces, commas or lines."""
    if isinstance(raw, str):
        raw = re.split(r"[\s,，、;；]+", raw)
    codes = []
    for code in raw or []:
        code = (code or "").strip()
        if code and code not in codes:
            codes.append(code)
    return codes


def _securities(market, codes, issuer_id=None):
    if not codes:
        raise SetupRefused("请至少填写一个证券代码")
    if len(codes) > MAX_CODES:
        raise SetupRefused(f"一次最多{MAX_CODES}个证券代码")
    found = []
    for code in codes:
        if CONTROL.search(code) or not CODE_RE.fullmatch(code):
            raise SetupRefused(f"证券代码“{code[:12]}”应为6位数字")
        security = db.session.execute(
            db.select(Security).filter_by(market=market, code=code)).scalar_one_or_none()
        if security is None:
            raise SetupRefused(f"{MARKETS[market]}市场没有证券代码 {code}")
        owner = db.session.execute(db.select(IssuerSecurity).filter_by(
            security_id=security.id)).scalar_one_or_none()
        if owner is not None and owner.issuer_id != issuer_id:
            raise SetupRefused(f"证券代码 {code} 已属于发行人“{owner.issuer.name}”")
        found.append(security)
    return found


def create_issuer(name, market, codes):
    """A new issuer owning ``codes`` of ``market``, with this year's annual fees charged
    (as ``fees.charge_annual_fees`` does for every issuer). The caller commits."""
    name = _text(name, "发行人名称", 80)
    market = (market if isinstance(market, str) else "").strip().upper()
    if market not in MARKETS:
        raise SetupRefused("市场应为 SH（上海）、SZ（深圳）或 BJ（北京）")
    if db.session.execute(db.select(Issuer.id).filter_by(name=name)).first():
        raise SetupRefused(f"发行人“{name}”已存在")
    found = _securities(market, parse_codes(codes))
    issuer = Issuer(name=name, market=market)
    db.session.add(issuer)
    db.session.flush()
    for security in found:
        db.session.add(IssuerSecurity(issuer_id=issuer.id, security_id=security.id))
    db.session.flush()
    fees.charge_annual_fees(issuer.id, found, clock.today().year)
    log.info("issuer %s created with %d securities", issuer.id, len(found))
    return issuer


def issuer_of_code(code, market=None):
    """The issuer owning this code (``--code`` of the CLI), or SetupRefused."""
    code = (code or "").strip()
    query = (db.select(IssuerSecurity).join(Security, IssuerSecurity.security_id == Security.id)
             .where(Security.code == code))
    if market:
        query = query.where(Security.market == market.upper())
    links = db.session.execute(query).scalars().all()
    if not links:
        raise SetupRefused(f"证券代码 {code[:12]} 不属于任何发行人，请先新增发行人")
    if len({link.issuer_id for link in links}) > 1:
        raise SetupRefused(f"证券代码 {code} 在多个市场存在，请指定市场")
    return links[0].issuer


def generated_password():
    """A password the rule accepts (letters, digits and a symbol; 12 characters)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(10))
        password = body[:5] + secrets.choice("@#%+=") + secrets.choice(string.digits) + body[5:]
        try:
            check_password_rules(password)
            return password
        except PasswordRejected:  # pragma: no cover - the shape always passes
            continue


def _password(password):
    """The typed password checked by the staff rule, or a generated one (shown once)."""
    if password:
        try:
            check_password_rules(password)
        except PasswordRejected as exc:
            raise SetupRefused(str(exc)) from None
        return password, None
    made = generated_password()
    return made, made


def add_contact(issuer, login, name, title, phone, password=None):
    """A contact of ``issuer`` with a fresh TOTP secret; ``password`` empty: one is
    generated. Returns the :class:`Enrolment` to show once. The caller commits."""
    if issuer is None:
        raise SetupRefused("请选择发行人")
    login = _text(login, "登录名", 64)
    if not LOGIN_RE.fullmatch(login):
        raise SetupRefused("登录名须为2-64位字母、数字、下划线、点或连字符")
    if db.session.execute(db.select(IssuerContact.id).where(
            db.func.lower(IssuerContact.login) == login.lower())).first():
        raise SetupRefused(f"登录名 {login} 已被使用")
    name = _text(name, "姓名", 40)
    title = _text(title, "职务", 40)
    phone = _text(phone, "手机号码", 11)
    if not PHONE_RE.fullmatch(phone):
        raise SetupRefused("手机号码应为11位数字（1开头）")
    password, shown = _password(password)
    secret = pyotp.random_base32()
    contact = IssuerContact(issuer_id=issuer.id, login=login, name=name, title=title,
                            phone=phone, totp_secret=secret, totp_last_step=0, active=True)
    contact.set_password(password)
    db.session.add(contact)
    db.session.flush()
    log.info("issuer contact %s added to issuer %s", contact.id, issuer.id)
    return Enrolment(contact, secret, contacts.provisioning_uri(contact), shown)


def reset_contact(contact, password=None):
    """A new password (typed, or generated and shown once) and a new TOTP secret; the
    last accepted step, the lock and every session of the contact are gone."""
    password, shown = _password(password)
    contact.set_password(password)
    contact.totp_secret = pyotp.random_base32()
    contact.totp_last_step = 0
    contact.session_epoch = (contact.session_epoch or 0) + 1
    lockout.clear(contact)
    db.session.flush()
    log.info("issuer contact %s reset", contact.id)
    return Enrolment(contact, contact.totp_secret, contacts.provisioning_uri(contact), shown)


def set_active(contact, active):
    """停用 / 启用; switching off ends the contact's sessions (the epoch and Redis)."""
    if contact.active == bool(active):
        raise SetupRefused("该联系人已停用" if not active else "该联系人已启用")
    contact.active = bool(active)
    if not active:
        contact.session_epoch = (contact.session_epoch or 0) + 1
    db.session.flush()
    log.info("issuer contact %s %s", contact.id, "enabled" if active else "disabled")
    return contact


def revoke_sessions(contact):
    """After the commit: end the contact's sessions in every process (the epoch already
    refuses them; this frees them in Redis too)."""
    return sessions.revoke_all(f"issuer:{contact.id}")


def contact_by_login(login):
    contact = db.session.execute(db.select(IssuerContact).filter_by(
        login=(login or "").strip())).scalar_one_or_none()
    if contact is None:
        raise SetupRefused(f"发行人联系人“{(login or '')[:64]}”不存在")
    return contact


def overview():
    """Every issuer with its securities and contacts, for the desk's list."""
    issuers = db.session.execute(db.select(Issuer).order_by(Issuer.id)).scalars().all()
    people = db.session.execute(db.select(IssuerContact).order_by(
        IssuerContact.issuer_id, IssuerContact.id)).scalars().all()
    by_issuer = {}
    for person in people:
        by_issuer.setdefault(person.issuer_id, []).append(person)
    return [(issuer, contacts.securities_of(issuer.id), by_issuer.get(issuer.id, []))
            for issuer in issuers]
