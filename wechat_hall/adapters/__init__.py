"""Adapters to the outside world (P-8): SMS gateway, e-mail, bank-card check, trade feed.

Services ask for an adapter with ``sms()``, ``mail()``, ``bankcard()``; the backend is
chosen by configuration (``SMS_BACKEND`` …), never in views. Development backends record
what they would send in the simulator's inbox instead of sending it.
"""
from importlib import import_module

from flask import current_app


def _backend(kind, module):
    table = import_module(f"{__name__}.{module}").BACKENDS
    name = current_app.config[f"{kind.upper()}_BACKEND"]
    try:
        factory = table[name]
    except KeyError:
        raise RuntimeError(f"unknown {kind} backend {name!r}; choose one of {sorted(table)}")
    return factory(current_app.config)


def sms():
    return _backend("sms", "sms_gateway")


def mail():
    return _backend("mail", "mailer")


def bankcard():
    return _backend("bankcard", "bankcard_backends")
