"""Who may open what: role_required, the console, and every back-office page."""
import pytest
from flask import Blueprint

from h5.staff.access import role_required

from tests.staff.staff_helpers import PASSWORDS, StaffBrowser, csrf_from, make_staff


ADMIN_PAGES = ["/admin/", "/admin/office/", "/admin/office/new/", "/admin/businesstype/",
               "/admin/businesstype/new/", "/admin/slottemplate/", "/admin/slottemplate/new/",
               "/admin/staffuser/", "/admin/staffuser/new/"]


def signed_in(app, role):
    client = app.test_client()
    resp = StaffBrowser(client).login(role, PASSWORDS[role])
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return client


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_back_office_sends_anonymous_to_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert resp.location.startswith("/staff/login?next=")


@pytest.mark.parametrize("role", ["agent", "counter", "kiosk"])
def test_back_office_refuses_other_roles(app, accounts, role):
    client = signed_in(app, role)
    for path in ADMIN_PAGES:
        resp = client.get(path)
        assert resp.status_code == 403, path
        assert "无权访问" in resp.get_data(as_text=True)


def test_back_office_open_to_admin(app, accounts):
    client = signed_in(app, "admin")
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path
    edit = client.get(f"/admin/staffuser/edit/?id={accounts['agent']}")
    assert edit.status_code == 200


def test_non_admin_cannot_post_to_back_office(app, accounts):
    client = signed_in(app, "agent")
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    resp = client.post("/admin/staffuser/new/", data={
        "csrf_token": token, "username": "intruder", "display_name": "x",
        "roles": "admin", "password": "Intrude@2026", "active": "y"})
    assert resp.status_code == 403
    with app.app_context():
        from models import StaffUser
        from wechat_hall.extensions import db
        assert db.session.execute(db.select(StaffUser).filter_by(
            username="intruder")).first() is None


def test_login_then_back_to_the_admin_page_asked_for(app, accounts):
    client = app.test_client()
    resp = client.get("/admin/slottemplate/")
    next_path = resp.location.split("next=", 1)[1]
    from urllib.parse import unquote
    resp = StaffBrowser(client).login("admin", PASSWORDS["admin"], next=unquote(next_path))
    assert resp.location == "/admin/slottemplate/"


@pytest.mark.parametrize("role, shown, hidden", [
    ("admin", ["后台管理", "客服工作台", "柜台叫号", "取号机"], []),
    ("agent", ["客服工作台"], ["后台管理", "柜台叫号"]),
    ("counter", ["柜台叫号"], ["后台管理", "客服工作台"]),
    ("kiosk", ["取号机"], ["后台管理", "客服工作台", "柜台叫号"]),
])
def test_console_shows_what_the_roles_allow(app, accounts, role, shown, hidden):
    page = signed_in(app, role).get("/staff/").get_data(as_text=True)
    for label in shown:
        assert label in page
    for label in hidden:
        assert label not in page
    if role == "admin":
        assert 'href="/admin/"' in page
    # Every console tile is built now: links, no 即将上线 badge.
    if role in ("admin", "agent"):  # 客服工作台 (CS-3)
        assert 'href="/staff/cs/"' in page
    if role in ("admin", "counter"):  # 柜台叫号 (APT-8), 临柜身份认证 (ACC-8 d)
        assert 'href="/staff/counter"' in page and 'href="/staff/counter-checks/"' in page
    if role in ("admin", "kiosk"):  # 取号机 (APT-7)
        assert 'href="/staff/kiosk"' in page
    assert "即将上线" not in page


@pytest.fixture
def guarded_app(make_app):
    """An app with two pages behind role_required, as later features will use it."""
    app = make_app()
    bp = Blueprint("guarded", __name__)

    @bp.get("/guarded/counter")
    @role_required("counter")
    def counter_only():
        return "counter page"

    @bp.get("/guarded/staff")
    @role_required()
    def any_staff():
        return "staff page"

    app.register_blueprint(bp)
    for role in PASSWORDS:
        make_staff(app, role, role)
    return app


def test_role_required(guarded_app):
    anonymous = guarded_app.test_client()
    resp = anonymous.get("/guarded/counter")
    assert resp.status_code == 302 and resp.location.startswith("/staff/login?next=")

    assert signed_in(guarded_app, "counter").get("/guarded/counter").status_code == 200
    assert signed_in(guarded_app, "admin").get("/guarded/counter").status_code == 200
    for role in ("agent", "kiosk"):
        resp = signed_in(guarded_app, role).get("/guarded/counter")
        assert resp.status_code == 403
        assert "无权访问" in resp.get_data(as_text=True)
    for role in PASSWORDS:
        assert signed_in(guarded_app, role).get("/guarded/staff").status_code == 200
