"""Demo data of the issuer portal (ISS-2 … ISS-6), after ``issuers``.

浦江科技 (600888) is an issuer with a contact who signs in at /issuer/ (password and a
TOTP second factor: ``flask issuer totp pujiang`` prints the current code) and a paid-up
fee account; 云赛智联 (its B share 900901) is a second issuer, whose fee balance is below
zero (its applications are refused, saying why). The issuer desk's staff account is in
``staff``. Idempotent.
"""
from models import (Issuer, IssuerContact, IssuerInsider, IssuerSecurity, SecuritiesAccount,
                    Security)
from models.issuer_portal import PAYMENT
from models.registry import SH
from wechat_hall import clock
from wechat_hall.extensions import db
from wechat_hall.services.issuers import fees

from .registry import _one

# login, password, name, 职务, phone, TOTP secret (base32; demo only)
CONTACTS = {
    "600888": ("浦江科技", [("600888",)], ("pujiang", "Issuer@2026", "陈静", "证券事务代表",
                                          "13900006888", "PUJIANGKEJIDEMOSECRETTOTPQWERTYU")),
    "900901": ("云赛智联", [("900901",)], ("yunsai", "Issuer@2026", "刘洋", "董事会秘书",
                                          "13900009009", "YUNSAIZHILIANDEMOSECRETTOTPQWERT")),
}


def seed():
    year = clock.today().year
    for code, (name, codes, contact) in CONTACTS.items():
        security = _one(Security, market=SH, code=code)
        if security is None:
            continue
        link = _one(IssuerSecurity, security_id=security.id)
        if link is not None:
            continue
        issuer = Issuer(name=name, market=SH)
        db.session.add(issuer)
        db.session.flush()
        db.session.add(IssuerSecurity(issuer_id=issuer.id, security_id=security.id))
        login, password, person, title, phone, secret = contact
        row = IssuerContact(issuer_id=issuer.id, login=login, name=person, title=title,
                            phone=phone, totp_secret=secret)
        row.set_password(password)
        db.session.add(row)
        db.session.flush()
        fees.charge_annual_fees(issuer.id, [security], year)
        if code == "600888":
            fees.record(issuer.id, PAYMENT, fees.ANNUAL_FEES["A"] + 200_000,
                        f"{code}查询费（银行汇款）", ref=f"demo-payment:{code}:{year}")
            _declare_insiders(issuer, row)


# 董监高 of 浦江科技 (ISS-4), by a securities account each holds on the demo ledger
INSIDERS = (("A278900271", "董事"), ("A330100204", "财务总监"))


def _declare_insiders(issuer, contact):
    for number, title in INSIDERS:
        account = _one(SecuritiesAccount, number=number)
        if account is None:
            continue
        investor = account.ymt_account.investor
        db.session.add(IssuerInsider(issuer_id=issuer.id, name=investor.name, title=title,
                                     id_type=investor.id_type, id_number=investor.id_number,
                                     declared_by_id=contact.id, declared_at=clock.utcnow()))


def logins():
    return [f"发行人 {c[0]} / {c[1]}（{name} {code}，/issuer/ 登录；动态口令："
            f"flask issuer totp {c[0]}）" for code, (name, _, c) in CONTACTS.items()]
