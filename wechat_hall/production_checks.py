"""What ``HALL_ENV=production`` refuses to start with (issue 13, items 11 and 12).

A production hall must never fall back to something made for development: the
simulator (it publishes every SMS code and certificate at /sim/inbox and signs anyone in
as any openid), a backend that only records what it would send (``dev``), or a
development template id. :func:`problems` names every missing or unsafe setting at once,
so the operator fixes them in one go; ``Config`` raises them as one ``ConfigError``.

The one way to run the simulator under production settings is a staging host named in
``UNSAFE_STAGING_HOST``, equal to the host of ``PUBLIC_BASE_URL``: then the simulator
and the development backends are allowed there (a staging hall is tried with them), and
every page says so in its footer (``wechat_hall/staging.py``).
"""
from urllib.parse import urlsplit

# Settings production needs whatever the backends are.
REQUIRED = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL",
            "WECHAT_APPID", "WECHAT_SECRET", "WECHAT_TOKEN",
            "SMS_BACKEND", "MAIL_BACKEND", "BANKCARD_BACKEND", "MAIL_FROM",
            "CERT_SIGNING_KEY", "CERT_SIGNING_CERT")
# Template messages: each id is the account's own, from the WeChat back office.
TEMPLATE_IDS = ("WECHAT_TEMPLATE_APPOINTMENT", "WECHAT_TEMPLATE_QUEUE",
                "WECHAT_TEMPLATE_APPOINTMENT_CANCELLED")
# What each production backend needs besides its name.
BACKEND_NEEDS = {
    ("SMS_BACKEND", "http"): ("SMS_GATEWAY_URL", "SMS_GATEWAY_KEY"),
    ("MAIL_BACKEND", "smtp"): ("SMTP_HOST",),
    ("BANKCARD_BACKEND", "http"): ("BANKCARD_GATEWAY_URL", "BANKCARD_GATEWAY_SECRET"),
}
PRODUCTION_BACKENDS = {"SMS_BACKEND": ("http",), "MAIL_BACKEND": ("smtp",),
                       "BANKCARD_BACKEND": ("http",)}
# Gateways that carry ID numbers, card numbers and codes: over TLS only.
HTTPS_ONLY = ("SMS_GATEWAY_URL", "BANKCARD_GATEWAY_URL")


def _truthy(value):
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def staging_host(env):
    """The host ``UNSAFE_STAGING_HOST`` allows, if it names the host we serve; else ''."""
    host = (env.get("UNSAFE_STAGING_HOST") or "").strip().lower()
    public = urlsplit(env.get("PUBLIC_BASE_URL") or "").hostname or ""
    return host if host and host == public.lower() else ""


def problems(env):
    """Every reason the production settings in ``env`` are unsafe, one line each for the
    operator's log. Empty: safe to start."""
    found = [f"{name} is not set" for name in REQUIRED if not (env.get(name) or "").strip()]
    staging = staging_host(env)
    simulator = _truthy(env.get("SIMULATOR_ENABLED"))
    if (env.get("UNSAFE_STAGING_HOST") or "").strip() and not staging:
        found.append("UNSAFE_STAGING_HOST must equal the host of PUBLIC_BASE_URL")
    if simulator and not staging:
        found.append("SIMULATOR_ENABLED=1 publishes SMS codes and certificates at /sim/inbox "
                     "and signs anyone in: refused unless UNSAFE_STAGING_HOST=<this host>")
    for name, allowed in PRODUCTION_BACKENDS.items():
        value = (env.get(name) or "").strip()
        if not value:
            continue
        if value not in allowed and not (staging and value == "dev"):
            found.append(f"{name}={value} is not a production backend (use {'/'.join(allowed)})")
        for needed in BACKEND_NEEDS.get((name, value), ()):
            if not (env.get(needed) or "").strip():
                found.append(f"{name}={value} needs {needed}")
    for name in HTTPS_ONLY:
        url = (env.get(name) or "").strip()
        if url and not url.lower().startswith("https://"):
            found.append(f"{name} must be an https:// URL")
    for name in TEMPLATE_IDS:
        value = (env.get(name) or "").strip()
        if not value:
            found.append(f"{name} is not set (the account's template id)")
        elif value.startswith("dev_"):
            found.append(f"{name}={value} is a development template id")
    if (env.get("CERT_ISSUE_TEST_DELAY") or "0").strip() not in ("", "0", "0.0"):
        found.append("CERT_ISSUE_TEST_DELAY is a test hook")
    mail_from = (env.get("MAIL_FROM") or "").strip().lower()
    if mail_from.endswith(".invalid"):
        found.append(f"MAIL_FROM={mail_from} is a development address")
    return found
