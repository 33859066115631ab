"""Staff at the hall in tests: the kiosk and counters, signed in through the login page."""
import re

from models import HallCounter, Office
from wechat_hall.extensions import db

from tests.appointments.apt_helpers import csrf_from, ids
from tests.staff.staff_helpers import PASSWORDS, StaffBrowser, make_staff


def office_id(app, code="SH"):
    with app.app_context():
        return db.session.execute(db.select(Office.id).filter_by(code=code)).scalar_one()


def counter_ids(app, code="SH"):
    with app.app_context():
        return db.session.execute(db.select(HallCounter.id).filter_by(
            office_id=office_id(app, code)).order_by(HallCounter.sort_order)).scalars().all()


class Kiosk:
    def __init__(self, app, username="kiosk", office="SH"):
        self.app = app
        make_staff(app, username, "kiosk", office_id=office_id(app, office))
        self.client = app.test_client()
        assert StaffBrowser(self.client).login(username, PASSWORDS["kiosk"]).status_code == 302

    def csrf(self):
        return csrf_from(self.client.get("/staff/kiosk").get_data(as_text=True))

    def scan(self, code):
        return self.client.post("/staff/kiosk/check-in", data={"csrf_token": self.csrf(), "code": code})

    def upload(self, png, name="qr.png"):
        import io
        return self.client.post("/staff/kiosk/check-in", data={
            "csrf_token": self.csrf(), "code": "", "photo": (io.BytesIO(png), name)},
            content_type="multipart/form-data")

    def walk_in(self, business="QUERY", office="SH"):
        _, business_id, _ = ids(self.app, office, business)
        return self.client.post("/staff/kiosk/walk-in", data={
            "csrf_token": self.csrf(), "business_type_id": str(business_id)})

    def ticket(self, resp):
        """(label, query code) of the ticket page a check-in redirected to."""
        assert resp.status_code == 302 and "/staff/kiosk/ticket/" in resp.location, resp.location
        html = self.client.get(resp.location).get_data(as_text=True)
        label = re.search(r'id="ticket-label">([^<]+)<', html).group(1)
        code = re.search(r'id="ticket-code">([^<]+)<', html).group(1)
        return label, code, html

    def refusal(self, resp):
        assert resp.status_code == 302 and resp.location.endswith("/staff/kiosk")
        html = self.client.get(resp.location).get_data(as_text=True)
        return re.search(r'hall-flash-error" role="alert">([^<]+)<', html).group(1)


class Counter:
    def __init__(self, app, counter_id, username="counter"):
        self.app = app
        self.id = counter_id
        make_staff(app, username, "counter", office_id=office_id(app))
        self.client = app.test_client()
        assert StaffBrowser(self.client).login(username, PASSWORDS["counter"]).status_code == 302

    def page(self):
        return self.client.get(f"/staff/counter/{self.id}").get_data(as_text=True)

    def act(self, action, **data):
        token = csrf_from(self.page())
        resp = self.client.post(f"/staff/counter/{self.id}/{action}",
                                data={"csrf_token": token, **data})
        assert resp.status_code == 302, resp.status_code
        return self.client.get(resp.location).get_data(as_text=True)

    def current(self):
        match = re.search(r'id="current-label">([^<]+)<', self.page())
        return match.group(1) if match else None
