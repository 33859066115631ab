"""The bank-card check's backends (``BANKCARD_BACKEND``): ``dev`` (the demo cards) and
``http`` (the registrar's card-verification gateway, docs/BANKCARD.md)."""
from .bankcard_check import DevBankCard
from .bankcard_gateway import HttpBankCard

BACKENDS = {"dev": DevBankCard, "http": HttpBankCard}
