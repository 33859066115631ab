"""Bank-card identity check (银联身份认证, ACC-8 b).

The check answers one question: do cardholder name, ID number, card number and the
bank-reserved phone belong together? ``dev`` answers from the demo cards of the registry
demo data (table ``demo_bank_card``); ``http`` (bankcard_gateway.py, docs/BANKCARD.md)
calls the card-verification gateway the registrar contracts; ``bankcard_backends.py``
names both.
"""
import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True)
class CardCheck:
    matched: bool
    reason: str = ""


def luhn_ok(card_number):
    """Bank card numbers carry a Luhn check digit: refuse typos before asking anyone."""
    digits = [int(c) for c in card_number if c.isdigit()]
    if len(digits) != len(card_number) or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return total % 10 == 0


class DevBankCard:
    def __init__(self, config):
        self.config = config

    def verify(self, name, id_number, card_number, phone):
        if not luhn_ok(card_number):
            return CardCheck(False, "银行卡号有误，请核对后重新输入")
        from models import DemoBankCard
        from wechat_hall.extensions import db
        card = db.session.execute(db.select(DemoBankCard).filter_by(
            card_number=card_number)).scalar_one_or_none()
        if (card and card.holder_name == name.strip()
                and _same_id(card.id_number, id_number)
                and card.phone == phone.strip()):
            return CardCheck(True)
        return CardCheck(False, "银行卡信息与持卡人身份信息不一致")


def _same_id(a, b):
    """As a bank compares ID numbers: spaces and the case of an x check digit do not count."""
    return "".join((a or "").split()).upper() == "".join((b or "").split()).upper()


def fingerprint(card_number):
    """What we keep of a card number: never the number itself. Keyed with SECRET_KEY: a
    card number has too few unknown digits for a plain hash not to be reversed."""
    from flask import current_app
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, card_number.encode(), hashlib.sha256).hexdigest()[:16]

