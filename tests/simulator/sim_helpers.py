"""Helpers for the simulator's tests: a caller of the fake WeChat API (as a server would
call WeChat) and a phone (the chat page's JSON endpoints, as its script calls them)."""
from datetime import timedelta

from models import Follower, SimOutbound, SimPush
from wechat_hall.extensions import db
from wechat_hall.services.wechat import followers


class FakeApiCaller:
    """Calls /sim/api like a WeChat client: token first, then ``access_token=…``."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        self._token = None

    def new_token(self):
        cfg = self.app.config
        res = self.client.get("/sim/api/cgi-bin/token", query_string={
            "grant_type": "client_credential", "appid": cfg["WECHAT_APPID"],
            "secret": cfg["WECHAT_SECRET"]})
        return res.get_json()["access_token"]

    @property
    def token(self):
        if self._token is None:
            self._token = self.new_token()
        return self._token

    def get(self, path, **params):
        params.setdefault("access_token", self.token)
        return self.client.get("/sim/api" + path, query_string=params).get_json()

    def post(self, path, body=None, raw=None, **params):
        params.setdefault("access_token", self.token)
        if raw is None:
            return self.client.post("/sim/api" + path, query_string=params, json=body).get_json()
        return self.client.post("/sim/api" + path, query_string=params, data=raw).get_json()

    def send_text(self, openid, text="您好"):
        return self.post("/cgi-bin/message/custom/send",
                         {"touser": openid, "msgtype": "text", "text": {"content": text}})


class Phone:
    """The chat page's script: JSON calls to /sim/…, as the page makes them."""

    def __init__(self, client):
        self.client = client

    def post(self, path, body):
        return self.client.post(path, json=body)

    def new_user(self, label="测试用户"):
        return self.post("/sim/users", {"label": label}).get_json()["user"]["openid"]

    def send(self, openid, **body):
        return self.post("/sim/send", dict(body, openid=openid))

    def text(self, openid, content):
        return self.send(openid, type="text", content=content)

    def event(self, openid, event, key=None, note=""):
        return self.send(openid, type="event", event=event, key=key, note=note)

    def follow(self, openid):
        return self.event(openid, "subscribe")

    def follower(self, label="测试用户"):
        openid = self.new_user(label)
        assert self.follow(openid).status_code == 200
        return openid


def age_user(app, openid, seconds):
    delta = timedelta(seconds=seconds)
    followers.flush_activity(app)  # time passes: the process has written its activity
    with app.app_context():
        # Row by row: date arithmetic in SQL differs between SQLite and PostgreSQL.
        for model, column in ((SimPush, "created_at"), (SimOutbound, "created_at"),
                              (Follower, "last_message_at")):
            for row in db.session.execute(db.select(model).filter_by(openid=openid)).scalars():
                if getattr(row, column) is not None:
                    setattr(row, column, getattr(row, column) - delta)
        db.session.commit()
