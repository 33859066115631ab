"""Fake API: access tokens (/cgi-bin/token, /cgi-bin/stable_token) and token checks."""
from datetime import timedelta

from models import SimToken
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db


def _token(client, app, **overrides):
    params = {"grant_type": "client_credential", "appid": app.config["WECHAT_APPID"],
              "secret": app.config["WECHAT_SECRET"], **overrides}
    return client.get("/sim/api/cgi-bin/token", query_string=params)


def _stable(client, app, **overrides):
    body = {"grant_type": "client_credential", "appid": app.config["WECHAT_APPID"],
            "secret": app.config["WECHAT_SECRET"], **overrides}
    return client.post("/sim/api/cgi-bin/stable_token", json=body).get_json()


def test_token_is_issued_for_the_right_credentials(client, app):
    res = _token(client, app)
    assert res.status_code == 200
    data = res.get_json()
    assert data["expires_in"] == 7200
    assert len(data["access_token"]) > 64
    assert _token(client, app).get_json()["access_token"] != data["access_token"]


def test_token_refuses_wrong_credentials(client, app):
    assert _token(client, app, appid="wxsomeoneelse").get_json()["errcode"] == 40013
    assert _token(client, app, secret="wrong").get_json()["errcode"] == 40125
    assert _token(client, app, appid="").get_json()["errcode"] == 41002
    assert _token(client, app, secret="").get_json()["errcode"] == 41004
    assert _token(client, app, grant_type="password").get_json()["errcode"] == 40002


def test_stable_token_is_the_same_until_forced(client, app):
    first = _stable(client, app)
    assert first["expires_in"] == 7200
    assert _stable(client, app)["access_token"] == first["access_token"]
    forced = _stable(client, app, force_refresh=True)
    assert forced["access_token"] != first["access_token"]
    assert _stable(client, app)["access_token"] == forced["access_token"]
    # The replaced token lives five more minutes, as on WeChat.
    res = client.get("/sim/api/cgi-bin/menu/get",
                     query_string={"access_token": first["access_token"]}).get_json()
    assert res["errcode"] == 46003


def test_stable_token_refuses_bad_bodies(client, app):
    assert _stable(client, app, appid="wxother")["errcode"] == 40013
    assert _stable(client, app, secret="nope")["errcode"] == 40125
    empty = client.post("/sim/api/cgi-bin/stable_token", data=b"").get_json()
    assert empty["errcode"] == 44002
    broken = client.post("/sim/api/cgi-bin/stable_token", data=b"{not json").get_json()
    assert broken["errcode"] == 47001
    listed = client.post("/sim/api/cgi-bin/stable_token", data=b"[1, 2]").get_json()
    assert listed["errcode"] == 47001


def test_calls_check_the_access_token(client, app, fake_api):
    assert client.get("/sim/api/cgi-bin/menu/get").get_json()["errcode"] == 41001
    assert fake_api.get("/cgi-bin/menu/get", access_token="forged")["errcode"] == 40001
    token = fake_api.new_token()
    with app.app_context():
        row = db.session.execute(db.select(SimToken).filter_by(token=token)).scalar_one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert fake_api.get("/cgi-bin/menu/get", access_token=token)["errcode"] == 42001


def test_tokens_work_in_another_app_sharing_the_database(make_app, app, fake_api):
    """Another process (gunicorn worker, RQ worker) must accept the token."""
    token = fake_api.new_token()
    other = make_app().test_client()
    res = other.get("/sim/api/cgi-bin/menu/get", query_string={"access_token": token})
    assert res.get_json()["errcode"] == 46003


def test_errors_are_wechat_json_with_a_request_id(client, fake_api):
    res = client.get("/sim/api/cgi-bin/no/such/api")
    assert res.status_code == 200 and res.is_json
    data = res.get_json()
    assert data["errcode"] == 48001 and "rid:" in data["errmsg"]
    assert client.get("/sim/api/cgi-bin/menu/create").get_json()["errcode"] == 43002
    assert client.post("/sim/api/cgi-bin/menu/get").get_json()["errcode"] == 43001
