"""Driving the account pages over HTTP the way a person does, for the flow tests."""
import re

import pytest
from werkzeug.security import generate_password_hash

from models import DevMessage, HallUser
from wechat_hall.extensions import db
from wechat_hall.services.accounts import captcha

PASSWORD = "Hall@2026x"
# PASSWORD hashed the cheap way, for accounts made straight in the database (the app's
# own hash takes ~80 ms, on every test that makes one).
QUICK_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


@pytest.fixture
def easy_captcha(monkeypatch):
    """Every captcha image reads AAAA: the web forms can be filled in by a test."""
    monkeypatch.setattr(captcha, "ALPHABET", "A")
    return "AAAA"


def csrf(client, path):
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page.get_data(as_text=True))
    assert tag, f"no csrf_token on {path}"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def last_code(app, phone):
    with app.app_context():
        row = db.session.execute(db.select(DevMessage).filter_by(recipient=phone)
                                 .order_by(DevMessage.id.desc())).scalars().first()
        assert row is not None, f"no SMS to {phone}"
        return re.search(r"验证码为(\d{6})", row.body).group(1)


def sms_count(app, phone):
    with app.app_context():
        return db.session.execute(db.select(db.func.count(DevMessage.id)).filter_by(
            recipient=phone)).scalar_one()


def send_code(client, url, token, phone=None):
    data = {"phone": phone} if phone is not None else {}
    return client.post(url, data=data, headers={"X-CSRFToken": token})


def load_captcha(client, key):
    assert client.get(f"/h5/captcha.png?for={key}").status_code == 200


def as_wechat(client, openid):
    with client.session_transaction() as sess:
        sess["wechat_openid"] = openid


def user(app, phone):
    with app.app_context():
        row = db.session.execute(db.select(HallUser).filter_by(phone=phone)).scalar_one_or_none()
        if row is not None:
            db.session.expunge(row)
        return row


def register_web(app, client, phone, password=PASSWORD, nickname=""):
    token = csrf(client, "/h5/account/register")
    assert send_code(client, "/h5/account/sms/register", token, phone).status_code == 200
    load_captcha(client, "register")
    return client.post("/h5/account/register", data={
        "csrf_token": token, "phone": phone, "nickname": nickname, "password": password,
        "confirm": password, "code": last_code(app, phone), "captcha": "AAAA", "agree": "y"})


def login_web(client, phone, password=PASSWORD):
    token = csrf(client, "/h5/account/login")
    load_captcha(client, "login")
    return client.post("/h5/account/login", data={
        "csrf_token": token, "phone": phone, "password": password, "captcha": "AAAA"})


def signed_up(app, client, phone, password=PASSWORD):
    """Registered and logged in on the web hall."""
    assert register_web(app, client, phone, password).status_code == 302
    resp = login_web(client, phone, password)
    assert resp.status_code == 302, resp.get_data(as_text=True)


def form_post(client, path, data, page=None):
    token = csrf(client, page or path)
    return client.post(path, data={"csrf_token": token, **data})


def signed_up_wechat(app, client, phone, openid, password=PASSWORD):
    """Registered inside WeChat (two steps; bound to ``openid``) and signed in."""
    as_wechat(client, openid)
    token = csrf(client, "/h5/account/register")
    assert send_code(client, "/h5/account/sms/register", token, phone).status_code == 200
    resp = client.post("/h5/account/register", data={
        "csrf_token": token, "phone": phone, "code": last_code(app, phone), "agree": "y"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert form_post(client, "/h5/account/register/password",
                     {"password": password, "confirm": password}).status_code == 302
    token = csrf(client, "/h5/account/register/done")
    assert client.post("/h5/account/register/login",
                       data={"csrf_token": token}).status_code == 302


class Staff:
    """A staff member signed in to the console (accounts made straight in the database)."""

    def __init__(self, app, username, roles, password="Desk@2026x", **columns):
        from models import StaffUser
        with app.app_context():
            row = StaffUser(username=username, display_name=username, roles=roles, **columns)
            row.password_hash = generate_password_hash(password, method="pbkdf2:sha256:1000")
            db.session.add(row)
            db.session.commit()
        self.client = app.test_client()
        token = csrf(self.client, "/staff/login")
        resp = self.client.post("/staff/login", data={"csrf_token": token, "username": username,
                                                      "password": password})
        assert resp.status_code == 302

    def get(self, path):
        return self.client.get(path)

    def post(self, path, data, page="/staff/"):
        token = csrf(self.client, page)
        return self.client.post(path, data={"csrf_token": token, **data})


def confirmed(client, resp, heading=None):
    """Through 激活信息确认 / 修改手机号信息确认 when step 2 led there: 确认 is pressed.
    Other responses are returned as they are."""
    if resp.status_code != 302 or not resp.headers["Location"].endswith("/h5/verify/confirm"):
        return resp
    page = client.get("/h5/verify/confirm").get_data(as_text=True)
    assert heading is None or heading in page
    return form_post(client, "/h5/verify/confirm", {})


def recover_password(client, password):
    """The new password of 找回密码, then 确认 on 找回密码信息确认."""
    resp = form_post(client, "/h5/account/recover/password",
                     {"password": password, "confirm": password})
    assert resp.status_code == 200 and "找回密码信息确认" in resp.get_data(as_text=True)
    return form_post(client, "/h5/account/recover/password",
                     {"password": password, "confirm": password, "step": "confirm"})
