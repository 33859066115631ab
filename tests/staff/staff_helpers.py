"""Helpers for the staff tests: accounts made in the database, a browser-like login."""
import re

from werkzeug.security import generate_password_hash

from models import StaffUser
from wechat_hall.extensions import db

PASSWORDS = {"admin": "Admin@2026", "agent": "Agent@2026", "counter": "Counter@2026",
             "kiosk": "Kiosk@2026"}


def csrf_from(html):
    """The CSRF token of the first form on the page, as a browser would submit it."""
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    assert tag, "no csrf_token on the page"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def make_staff(app, username, roles, password=None, fast_hash=True, **columns):
    """A staff account straight in the database (a cheap hash keeps the suite quick)."""
    with app.app_context():
        user = StaffUser(username=username, display_name=columns.pop("display_name", username),
                         roles=roles, **columns)
        password = password or PASSWORDS.get(roles, "Staff@2026")
        if fast_hash:
            user.password_hash = generate_password_hash(password, method="pbkdf2:sha256:1000")
        else:
            user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user.id


def get_staff(app, username):
    with app.app_context():
        user = db.session.execute(db.select(StaffUser).filter_by(username=username)).scalar_one()
        db.session.expunge(user)
        return user


class StaffBrowser:
    """Drives the test client the way a person does: open the form, then submit it."""

    def __init__(self, client):
        self.client = client

    def login(self, username, password, next=None):
        page = self.client.get("/staff/login", query_string={"next": next} if next else None)
        data = {"csrf_token": csrf_from(page.get_data(as_text=True)),
                "username": username, "password": password}
        if next is not None:
            data["next"] = next
        return self.client.post("/staff/login", data=data)

    def submit(self, form_url, data, post_url=None):
        """GET a form, then POST ``data`` with the page's CSRF token."""
        page = self.client.get(form_url)
        assert page.status_code == 200, page.status_code
        token = csrf_from(page.get_data(as_text=True))
        return self.client.post(post_url or form_url, data={"csrf_token": token, **data})
