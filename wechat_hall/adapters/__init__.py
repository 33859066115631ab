"""Adapters to the outside world (P-8): SMS gateway, e-mail, bank-card check, trade feed.

Services ask for an adapter with ``sms()``, ``mail()``, ``bankcard()``; the backend is
chosen by configuration (``SMS_BACKEND`` …), never in views. Development backends record
what they would send in the simulator's inbox instead of sending it.
"""
from flask import current_app


def _backend(kind, table):
    name = current_app.config[f"{kind.upper()}_BACKEND"]
    try:
        factory = table[name]
    except KeyError:
        raise RuntimeError(f"unknown {kind} backend {name!r}; choose one of {sorted(table)}")
    return factory(current_app.config)


def sms():
    from . import sms as module
    return _backend("sms", module.BACKENDS)


def mail():
    from . import mail as module
    return _backend("mail", module.BACKENDS)


def bankcard():
    from . import bankcard as module
    return _backend("bankcard", module.BACKENDS)
