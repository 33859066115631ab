"""Request throttling with Flask-Limiter (issue 13 item 6).

The lockout (services/accounts/lockout.py) stops guessing one account's password; this
stops one client from trying many accounts: sign-in attempts are counted per client
address and, inside WeChat, per openid, in Redis (``REDIS_URL``) so every gunicorn worker
shares the counts; the embedded mode (no ``REDIS_URL``) counts in memory. If Redis goes
away the counts fall back to this process's memory rather than failing the page.

A view declares its limits with :func:`limited`; ``init_app`` (after the blueprints are
registered) gives each app its own Limiter and applies them, so the many apps a test run
builds never share counters. A refused request is a 429, which ``h5/errors.py`` shows as
“操作过于频繁，请稍后再试。” with ``Retry-After``.
"""
import hashlib
import hmac

from flask import current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# rule name → (setting with the limits, who is counted)
RULES = {
    "login_address": ("LOGIN_RATE_LIMIT_ADDRESS", "address"),
    "login_openid": ("LOGIN_RATE_LIMIT_OPENID", "openid"),
    "staff_login_address": ("STAFF_LOGIN_RATE_LIMIT_ADDRESS", "address"),
    # The issuer portal's sign-in (password and second factor): the staff limits.
    "issuer_login_address": ("STAFF_LOGIN_RATE_LIMIT_ADDRESS", "address"),
}
OPENID = "wechat_openid"  # the session key h5/identity.py sets at the /h5/wx door


def limited(*rules):
    """Mark a view with the named :data:`RULES`; only its POSTs are counted."""
    for rule in rules:
        if rule not in RULES:
            raise ValueError(f"unknown rate-limit rule {rule}")

    def mark(view):
        view.rate_limit_rules = tuple(rules)
        return view
    return mark


def _openid_key():
    """A keyed hash of the WeChat openid: no identifier in Redis in the clear."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    openid = session.get(OPENID, "")
    return "openid:" + hmac.new(secret, openid.encode(), hashlib.sha256).hexdigest()[:32]


def _setting(name):
    """The limits as the app's settings say at the time of the request."""
    return lambda: current_app.config[name]


def _outside_wechat():
    return not session.get(OPENID)


def _address_key():
    return "address:" + (get_remote_address() or "")


def init_app(app):
    limiter = Limiter(
        key_func=_address_key,
        storage_uri=app.config["REDIS_URL"] or "memory://",
        storage_options={"socket_connect_timeout": 2, "socket_timeout": 2}
        if app.config["REDIS_URL"] else {},
        strategy="fixed-window",
        key_prefix="ratelimit",
        headers_enabled=True,
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter.init_app(app)
    counted = set()
    for endpoint, view in list(app.view_functions.items()):
        rules = getattr(view, "rate_limit_rules", ())
        for rule in rules:
            setting, who = RULES[rule]
            per_openid = who == "openid"
            view = limiter.limit(_setting(setting), scope=rule, methods=["POST"],
                                 key_func=_openid_key if per_openid else _address_key,
                                 exempt_when=_outside_wechat if per_openid else None)(view)
        if rules:
            app.view_functions[endpoint] = view
            counted.add(endpoint)
    # Only the views above have limits (there are no default limits): every other request
    # skips the limiter at its first test instead of resolving an empty set of limits
    # (about 0.1 ms a request, on /wechat and the queue poll too).
    limiter.request_filter(lambda: request.endpoint not in counted)
    app.extensions["hall_limiter"] = limiter

