"""Security headers on every response (issue 13 item 4), set by flask-talisman.

- **Content-Security-Policy**: scripts, styles, images and fetches from this origin only;
  no inline script runs unless it carries the request's nonce (only Flask-Admin's own
  templates use one; the hall's pages load static files and declare behaviour with data
  attributes, ``h5/static/hall.js``); no plugins; forms post here only.
- **Framing**: ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``, so a ballot's
  confirmation or a staff action cannot be clicked through a foreign page. One exception,
  in development only: while the WeChat simulator is on, its phone shows the investor's
  pages (``/h5/…``, and its own ``/sim/…`` OAuth pages) in an iframe of the same origin,
  so those get ``'self'``/``SAMEORIGIN``. Staff and back-office pages are never framable,
  and production runs without the simulator.
- **X-Content-Type-Options: nosniff**, **Referrer-Policy: same-origin** (links to other
  sites carry no URL of ours).
- **Cache-Control: no-store** on every dynamic response (profile, queries, ballots,
  certificates, staff pages …) unless the view gave it a lifetime itself; static files
  keep theirs.
- **HSTS** only when the hall is configured for https (``PUBLIC_BASE_URL`` starts with
  ``https://``) and the request came over https (behind a proxy: ``TRUSTED_PROXIES``).
  Redirecting http to https is the proxy's job, so Talisman's ``force_https`` is off.
"""
from flask import request
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",  # + the request's nonce (content_security_policy_nonce_in)
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-src": "'self'",  # the simulator's phone frames the hall's pages
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
ONE_YEAR = 365 * 24 * 3600

# Paths the simulator's phone opens in its iframe (development only, see the module text).
SIMULATOR_FRAMED = ("/h5/", "/sim/")


def csp_nonce():
    """The nonce of this request's CSP (Flask-Admin puts it on its inline scripts)."""
    return getattr(request, "csp_nonce", "")


def init_app(app):
    https = app.config["PUBLIC_BASE_URL"].startswith("https://")
    # Registered before Talisman so that it runs after Talisman's own after_request
    # (Flask runs them in reverse order) and sees the headers Talisman set.
    app.after_request(_no_store)
    if app.config.get("SIMULATOR_ENABLED"):
        app.after_request(_let_simulator_frame)
    Talisman(
        app,
        force_https=False,
        frame_options="DENY",
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="same-origin",
        strict_transport_security=https,
        strict_transport_security_max_age=ONE_YEAR,
        strict_transport_security_include_subdomains=False,
        # The session cookie's flags stay those of config.py (Secure when https).
        session_cookie_secure=False,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )


def _is_static():
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def _no_store(response):
    if _is_static():
        return response
    cache = response.cache_control
    if not (cache.public or cache.private or cache.max_age is not None):
        cache.no_store = True
        cache.no_cache = None
    return response


def _let_simulator_frame(response):
    if request.path.startswith(SIMULATOR_FRAMED):
        policy = response.headers.get("Content-Security-Policy")
        if policy:
            response.headers["Content-Security-Policy"] = policy.replace(
                "frame-ancestors 'none'", "frame-ancestors 'self'")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
