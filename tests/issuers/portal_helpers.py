"""Driving the issuer portal over HTTP as a contact does: password, TOTP, pages, forms."""
import re

import pyotp

from models import IssuerContact
from tests.accounts.account_helpers import csrf
from wechat_hall import clock
from wechat_hall.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def totp_now(app, login):
    """The contact's TOTP code at the app's (frozen) clock."""
    with app.app_context():
        contact = db.session.execute(db.select(IssuerContact).filter_by(login=login)).scalar_one()
        return pyotp.TOTP(contact.totp_secret).at(clock.timestamp())


class IssuerBrowser:
    def __init__(self, app, login="pujiang", password="Issuer@2026"):
        self.app, self.client = app, app.test_client()
        self.login_as(login, password)

    def login_as(self, login, password):
        token = csrf(self.client, "/issuer/login")
        resp = self.client.post("/issuer/login", data={"csrf_token": token, "login": login,
                                                      "password": password})
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/issuer/login/otp"), \
            resp.get_data(as_text=True)[:500]
        token = csrf(self.client, "/issuer/login/otp")
        resp = self.client.post("/issuer/login/otp", data={"csrf_token": token,
                                                          "code": totp_now(self.app, login)})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:800]
        return resp

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, data, page=None):
        token = csrf(self.client, page or path)
        return self.client.post(path, data={"csrf_token": token, **data},
                                content_type="multipart/form-data")

    def apply(self, files=None, **fields):
        data = {"code": "600888", "record_date": "2026-11-23", "kinds": ["T1"], "top": "",
                "share_class": "03", "reason": "证券交易异常变动", "contact_name": "陈静",
                "contact_phone": "021-68880000", "meeting_date": "", "note": ""}
        data.update(fields)
        if files is None:
            files = [(PDF, "公告.pdf")]
        import io
        data["attachments"] = [(io.BytesIO(body), name) for body, name in files]
        return self.post("/issuer/applications/new", data, page="/issuer/applications/new")


def text(resp):
    return resp.get_data(as_text=True)


def flash_of(resp):
    return re.findall(r'role="alert"[^>]*>([^<]+)<', text(resp))
