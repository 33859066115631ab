"""Issue 13 item 4 over HTTP: every kind of page carries the security headers, private
pages are never cached, staff pages can never be framed, HSTS only over configured https;
and no template keeps an inline script or on…= handler the policy would refuse."""
import re
from pathlib import Path

import pytest

from tests.accounts.account_helpers import as_wechat, easy_captcha, signed_up  # noqa: F401
from tests.staff.staff_helpers import StaffBrowser, make_staff

ROOT = Path(__file__).resolve().parents[2]


def assert_headers(resp, framable=False, cached=False):
    csp = resp.headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'self'",
                      "form-action 'self'"):
        assert directive in csp, (directive, csp)
    assert re.search(r"script-src 'self' 'nonce-[\w-]+'(;|$)", csp), csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    if framable:  # only the simulator's phone, same origin
        assert "frame-ancestors 'self'" in csp and resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    else:
        assert "frame-ancestors 'none'" in csp and resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    if not cached:
        assert "no-store" in resp.headers.get("Cache-Control", ""), resp.headers
    assert "Strict-Transport-Security" not in resp.headers  # http here


def test_public_pages_errors_json_and_the_wechat_url(app, client):
    for path, status in (("/h5/", 200), ("/h5/account/login", 200), ("/h5/service", 302), ("/h5/certificates/verify", 200),
                         ("/healthz", None), ("/h5/no-such-page", 404), ("/wechat", 403),
                         ("/h5/captcha.png?for=login", 200)):
        resp = client.get(path)
        assert status is None or resp.status_code == status, (path, resp.status_code)
        assert_headers(resp, framable=path.startswith("/h5/"))


def test_static_files_keep_their_caching(client):
    resp = client.get("/static/hall.css")
    assert resp.status_code == 200 and "no-store" not in resp.headers.get("Cache-Control", "")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.usefixtures("easy_captcha")
@pytest.mark.parametrize("path", ["/h5/profile", "/h5/query/ymt", "/h5/query/holdings",
                                  "/h5/certificates/", "/h5/votes", "/h5/appointments",
                                  "/h5/account/password"])
def test_private_investor_pages_are_never_stored(app, client, path):
    signed_up(app, client, "13800000031")
    resp = client.get(path)
    assert resp.status_code in (200, 302), (path, resp.status_code)
    assert_headers(resp, framable=True)


def test_staff_and_back_office_pages_are_never_framed_nor_stored(app, client):
    make_staff(app, "admin", "admin")
    staff = StaffBrowser(client)
    assert staff.login("admin", "Admin@2026").status_code == 302
    for path in ("/staff/", "/staff/cs/", "/staff/cs/supervisor", "/staff/counter",
                 "/staff/kiosk", "/staff/counter-checks/", "/admin/", "/admin/office/",
                 "/staff/login"):
        resp = client.get(path)
        assert resp.status_code in (200, 302), (path, resp.status_code)
        assert_headers(resp)


def test_without_the_simulator_no_page_is_framable(make_app):
    app = make_app(SIMULATOR_ENABLED=False)
    client = app.test_client()
    as_wechat(client, "o_frame")
    for path in ("/h5/", "/h5/votes", "/h5/account/login"):
        assert_headers(client.get(path))


def test_hsts_only_when_the_hall_is_configured_for_https(make_app):
    app = make_app(PUBLIC_BASE_URL="https://hall.example.cn", TRUSTED_PROXIES=1)
    client = app.test_client()
    secure = client.get("/h5/", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    plain = client.get("/h5/")  # the proxy's http side: no HSTS over http
    assert "Strict-Transport-Security" not in plain.headers
    http_app = make_app(PUBLIC_BASE_URL="http://hall.test", TRUSTED_PROXIES=1)
    resp = http_app.test_client().get("/h5/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in resp.headers


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
HANDLER = re.compile(r"<[^>]+\son[a-z]+(\s*=|[\s>])", re.DOTALL)


def test_no_template_has_an_inline_script_or_handler():
    """What the CSP would refuse in a browser, found in the source: an inline <script>
    (JSON data blocks are not scripts) or an on…= attribute."""
    offenders = []
    for folder in ("h5/templates", "wechat_hall/simulator/templates"):
        for path in (ROOT / folder).rglob("*.html"):
            text = path.read_text()
            for pattern in (INLINE_SCRIPT, HANDLER):
                offenders += [f"{path.relative_to(ROOT)}: {m.group(0)[:60]}"
                              for m in pattern.finditer(text)]
    assert offenders == []
