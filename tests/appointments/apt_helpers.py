"""Helpers for the appointment tests: a person who books through the pages."""
import re
from datetime import date

from models import Appointment, BookingSlot, BusinessType, Office, SlotTemplate
from wechat_hall import clock
from wechat_hall.extensions import db

from tests import seeding

MONDAY_10AM = clock.shanghai(2026, 11, 23, 10, 0)
TUESDAY = date(2026, 11, 24)
# Valid resident IDs (GB 11643 check digits computed in valid_id).
ID_A = "110101199003071233"


def valid_id(first17):
    from wechat_hall.services.accounts.check_characters import gb11643_check_char
    return first17 + gb11643_check_char(first17)


def person_id(n):
    """A valid 18-digit resident ID per n (distinct people)."""
    return valid_id(f"1101011990{(n // 28) % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"[:17])


def seed_halls(app):
    """The demo offices, slot templates, counters and business types."""
    seeding.load(app, "halls")


def csrf_from(html):
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    assert tag, "no csrf_token on the page"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def ids(app, office="SH", business="PLEDGE", start="08:30"):
    """(office id, business type id, slot template id) of the demo data."""
    with app.app_context():
        o = db.session.execute(db.select(Office).filter_by(code=office)).scalar_one()
        b = db.session.execute(db.select(BusinessType).filter_by(office_id=o.id, code=business)).scalar_one()
        h, m = (int(x) for x in start.split(":"))
        from datetime import time
        t = db.session.execute(db.select(SlotTemplate).filter_by(
            office_id=o.id, start_time=time(h, m))).scalar_one()
        return o.id, b.id, t.id


def set_capacity(app, template_id, capacity):
    with app.app_context():
        db.session.get(SlotTemplate, template_id).capacity = capacity
        db.session.commit()


def slot_row(app, template_id, day):
    with app.app_context():
        row = db.session.execute(db.select(BookingSlot).filter_by(
            template_id=template_id, day=day)).scalar_one_or_none()
        return None if row is None else (row.capacity, row.booked)


def appointments(app):
    with app.app_context():
        rows = db.session.execute(db.select(Appointment).order_by(Appointment.id)).scalars().all()
        for row in rows:
            db.session.expunge(row)
        return rows


class Person:
    """The test client as a WeChat user's phone: the form, the preview, the confirm."""

    def __init__(self, app, openid):
        self.app = app
        self.openid = openid
        self.client = app.test_client()
        with self.client.session_transaction() as session:
            session["wechat_openid"] = openid

    def form(self, office="SH", **overrides):
        _, business_id, template_id = ids(self.app, office, overrides.pop("business", "PLEDGE"),
                                          overrides.pop("start", "08:30"))
        data = {"agent_type": "domestic", "agent_name": "张三", "agent_company": "测试公司",
                "id_number": ID_A, "business_type_id": str(business_id), "items": "1",
                "day": TUESDAY.isoformat(), "template_id": str(template_id), "agree": "y"}
        data.update({k: v for k, v in overrides.items() if v is not None})
        for k in [k for k, v in overrides.items() if v is None]:
            data.pop(k, None)
        return data

    def apply(self, office="SH", **overrides):
        page = self.client.get(f"/h5/appointments/apply?office={office}")
        assert page.status_code == 200, page.status_code
        data = self.form(office, **overrides)
        data["csrf_token"] = csrf_from(page.get_data(as_text=True))
        return self.client.post(f"/h5/appointments/apply?office={office}", data=data)

    def preview(self):
        page = self.client.get("/h5/appointments/preview")
        html = page.get_data(as_text=True)
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        return html, csrf_from(html), token

    def confirm(self, csrf, token):
        return self.client.post("/h5/appointments/confirm",
                                data={"csrf_token": csrf, "token": token})

    def book(self, office="SH", **overrides):
        """The whole flow; returns the confirm response."""
        resp = self.apply(office, **overrides)
        assert resp.status_code == 302, _errors(resp)
        _, csrf, token = self.preview()
        return self.confirm(csrf, token)

    def csrf(self, path="/h5/appointments/apply?office=SH"):
        return csrf_from(self.client.get(path).get_data(as_text=True))


def _errors(resp):
    return re.findall(r'data-error="(\w+)">([^<]*)<', resp.get_data(as_text=True)) or resp.status_code


def field_errors(resp):
    return dict(re.findall(r'data-error="(\w+)">([^<]*)<', resp.get_data(as_text=True)))
