"""No request makes the server answer 500: every route of the URL map (static files
aside), every method it takes, with junk.

Two sweeps:

- as anonymous, with junk in four shapes (none, a junk query, an undecodable XML body,
  broken JSON), path ids that name nothing and no CSRF token: POSTs stop at the CSRF
  check, which must refuse them politely;
- as each kind of user — anonymous, a WeChat user (an openid bound to an activated
  account), a web-hall user (activated, signed in with the password) and each staff role
  (admin, agent, counter, kiosk) — over the demo data, every route twice: with path
  arguments that name something in the demo (1, SH, A312600024 …) and junk, then with
  ids that name nothing. GET carries the junk as its query; every other method as a
  form with a valid CSRF token (and ``?id=1``, the back office's way of naming a row),
  so the request reaches the view's own checks. No request may be refused for its
  token: that shows the token was right, not that the route was skipped. Each request
  starts from the user's own session, and the sign-offs (解除绑定, 退出) come last, so
  the whole sweep runs as that user; the test checks it still is before them.

This is a cheap net; property-based fuzzing of each form is a test of its own.
"""
import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from models import HallUser, StaffUser, YmtAccount
from tests import seeding
from tests.accounts.account_helpers import QUICK_HASH
from tests.staff.staff_helpers import StaffBrowser
from wechat_hall.clock import utcnow
from wechat_hall.demo.staff import STAFF
from wechat_hall.extensions import db

JUNK = {"id": "'; drop table x;--", "page": "-1", "next": "//evil", "q": "\x00",
        "state": "x" * 500, "code": "💥", "date": "2026-02-30", "phone": "1" * 40,
        "amount": "1e999", "office": "💥", "ymt": "-1", "kind": "../../etc/passwd"}
# Values of path arguments that name something in the demo data.
PATH_VALUES = {"account": "A312600024", "holder": "E078900271", "office_code": "SH",
               "kind": "register", "method": "phone", "code": "privacy", "fmt": "csv",
               "export_type": "csv", "action": "next", "rest": "profile", "public_id": "x"}
CSRF_REFUSED = "页面已过期或来源不明"
# Routes that end who the user is run last: 解除绑定 and 退出, the OAuth return and the
# simulator's authorize and its user switch (POST /sim/users), which make the browser
# whoever the (junk) input names and delete the session it had (server-side sessions).
SIGN_OFFS = ("/unbind", "/logout", "/oauth/callback", "/oauth2/authorize", "/sim/users")


def _routes(app, value=None):
    """(path, methods) of every rule; arguments become ``value`` or a demo value."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("static") or "/static/" in rule.rule:
            continue

        def fill(match):
            converter, name = match.group(1) or "", match.group(2)
            if value is not None:
                return value
            return "1" if converter == "int:" else PATH_VALUES.get(name, "1")
        path = re.sub(r"<(\w+:)?(\w+)>", fill, rule.rule)
        yield path, sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_route_survives_junk_without_a_token(app, client):
    failures = []
    junk = {"id": "'; drop table x;--", "page": "-1", "next": "//evil", "q": "\x00",
            "state": "x" * 500, "code": "💥"}
    for path, methods in _routes(app, value="999999"):
        for method in methods:
            for kwargs in ({}, {"query_string": junk},
                           {"data": b"\xff\xfe<xml>", "content_type": "text/xml"},
                           {"data": "{bad json", "content_type": "application/json"}):
                resp = client.open(path, method=method, **kwargs)
                if resp.status_code >= 500:
                    failures.append((method, path, kwargs.keys(), resp.status_code))
    assert failures == []


# -- every kind of user --------------------------------------------------------------

def _hall_user(app, phone, ymt_number, openid=None):
    with app.app_context():
        ymt = db.session.execute(db.select(YmtAccount).filter_by(number=ymt_number)).scalar_one()
        user = HallUser(phone=phone, ymt_account_id=ymt.id, activated_at=utcnow(), openid=openid)
        user.password_hash = QUICK_HASH
        db.session.add(user)
        db.session.commit()
        return user.id, user.session_epoch


def _as_anonymous(app, client):
    """Nobody: a browser with no session yet."""


def _as_wechat_user(app, client):
    _hall_user(app, "13900000771", "180312600024", openid="o_fuzz_wechat_user_000000001")
    with client.session_transaction() as sess:
        sess["wechat_openid"] = "o_fuzz_wechat_user_000000001"


def _as_web_hall_user(app, client):
    user_id, epoch = _hall_user(app, "13900000772", "180278900271")
    with client.session_transaction() as sess:
        sess["hall_user_id"], sess["hall_user_epoch"] = user_id, epoch


def _as_staff(role):
    username, _, _, password = next(s for s in STAFF if s[2] == role)

    def sign_in(app, client):
        assert StaffBrowser(client).login(username, password).status_code == 302
        with app.app_context():
            staff = db.session.execute(db.select(StaffUser).filter_by(username=username)).scalar_one()
            assert staff.roles == role
    return sign_in


def _as_issuer_contact(app, client):
    """An issuer's contact at /issuer/ (password and TOTP; the demo's 浦江科技)."""
    from tests.issuers.portal_helpers import IssuerBrowser
    browser = IssuerBrowser.__new__(IssuerBrowser)
    browser.app, browser.client = app, client
    browser.login_as("pujiang", "Issuer@2026")


USERS = {"anonymous": _as_anonymous, "wechat": _as_wechat_user, "web-hall": _as_web_hall_user,
         **{role: _as_staff(role) for role in ("admin", "agent", "counter", "kiosk",
                                               "issuer_desk")},
         "issuer": _as_issuer_contact}
# A page this kind of user is let into (anonymous: sent to sign in).
OWN_PAGE = {"anonymous": ("/h5/profile", 302), "wechat": ("/h5/profile", 200),
            "web-hall": ("/h5/profile", 200), "admin": ("/admin/", 200),
            "agent": ("/staff/cs/", 200), "counter": ("/staff/counter", 200),
            "kiosk": ("/staff/kiosk", 200), "issuer_desk": ("/staff/issuers/", 200),
            "issuer": ("/issuer/", 200)}


def _csrf_token(app, client):
    """The token a page would carry for this session (Flask-WTF's own signing)."""
    with client.session_transaction() as sess:
        raw = sess.setdefault("csrf_token", "fuzz-" + "0" * 35)
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


@pytest.mark.parametrize("who", list(USERS))
def test_every_route_as_every_kind_of_user_with_a_valid_token(app, who):
    seeding.load(app, "demo")
    client = app.test_client()
    USERS[who](app, client)
    token = _csrf_token(app, client)
    session_cookie = client.get_cookie("session").value
    own_page, status = OWN_PAGE[who]
    assert client.get(own_page).status_code == status  # the session is who it says
    failures, csrf_refused, posts = [], [], []
    # Sessions are server-side: the first sign-off deletes the session, and with it the
    # CSRF secret, so the later sign-off requests are refused for CSRF, rightly.
    signed_off = False

    def send(path, method, query, form):
        client.set_cookie("session", session_cookie)  # the user's own session again
        if method == "GET":
            resp = client.get(path, query_string=query)
        else:
            posts.append(path)
            resp = client.open(path, method=method, query_string={"id": "1"},
                               data={**form, "csrf_token": token},
                               headers={"X-CSRFToken": token})
            if CSRF_REFUSED in resp.get_data(as_text=True) and not signed_off:
                csrf_refused.append((method, path))
        if resp.status_code >= 500:
            failures.append((method, path, resp.status_code))

    # Demo ids with junk data, then ids that name nothing with no data; the routes that
    # end who the user is (a valid POST to 解除绑定 unbinds the openid) come last.
    sweep = [(path, method, query, form)
             for value, query, form in ((None, JUNK, JUNK), ("999999", {}, {}))
             for path, methods in _routes(app, value) for method in methods]
    for request in sweep:
        if not request[0].endswith(SIGN_OFFS):
            send(*request)
    client.set_cookie("session", session_cookie)
    assert client.get(own_page).status_code == status, "the sweep lost the user"
    for request in sweep:
        if request[0].endswith(SIGN_OFFS):
            send(*request)
            signed_off = signed_off or request[1] != "GET"
    assert failures == []
    assert len(posts) > 200 and csrf_refused == []
