"""Fake OAuth2: the authorize page, one-time codes (40029) and the whole H5 login."""
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from models import SimOAuthCode
from wechat_hall.clock import utcnow
from wechat_hall.extensions import db

CALLBACK = "http://localhost/cb?x=1"


def _authorize(client, app, **overrides):
    query = {"appid": app.config["WECHAT_APPID"], "redirect_uri": CALLBACK,
             "response_type": "code", "scope": "snsapi_base", "state": "abc123", **overrides}
    return client.get("/sim/api/connect/oauth2/authorize", query_string=query)


def _exchange(client, app, code, **overrides):
    query = {"appid": app.config["WECHAT_APPID"], "secret": app.config["WECHAT_SECRET"],
             "code": code, "grant_type": "authorization_code", **overrides}
    return client.get("/sim/api/sns/oauth2/access_token", query_string=query).get_json()


def _code_from(response):
    assert response.status_code == 302, response.get_data(as_text=True)
    url = urlsplit(response.headers["Location"])
    query = parse_qs(url.query)
    assert url.netloc == "localhost" and url.path == "/cb" and query["x"] == ["1"]
    assert query["state"] == ["abc123"]
    return query["code"][0]


def test_the_simulator_cookie_names_the_user_and_a_code_works_once(client, app, phone):
    openid = phone.new_user()  # sets the sim_openid cookie, as the chat page does
    code = _code_from(_authorize(client, app))
    answer = _exchange(client, app, code)
    assert answer["openid"] == openid
    assert answer["scope"] == "snsapi_base" and answer["expires_in"] == 7200
    assert answer["access_token"]
    assert _exchange(client, app, code)["errcode"] == 40029


def test_an_expired_code_is_refused(client, app, phone):
    phone.new_user()
    code = _code_from(_authorize(client, app))
    with app.app_context():
        row = db.session.execute(db.select(SimOAuthCode).filter_by(code=code)).scalar_one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert _exchange(client, app, code)["errcode"] == 40029


def test_exchange_checks_its_parameters(client, app, phone):
    phone.new_user()
    code = _code_from(_authorize(client, app))
    assert _exchange(client, app, "forged")["errcode"] == 40029
    assert _exchange(client, app, "")["errcode"] == 41008
    assert _exchange(client, app, code, secret="wrong")["errcode"] == 40125
    assert _exchange(client, app, code, appid="wxother")["errcode"] == 40013
    assert _exchange(client, app, code, grant_type="client_credential")["errcode"] == 40002
    assert "openid" in _exchange(client, app, code)  # the refusals did not spend it


def test_without_a_simulated_user_the_page_asks_for_one(client, app):
    page = _authorize(client, app)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "新建模拟用户" in html
    created = client.post(page.request.full_path, data={"create": "1", "label": "王五"})
    code = _code_from(created)
    openid = _exchange(client, app, code)["openid"]
    assert openid.startswith("o") and len(openid) == 28
    # The choice is remembered: the next authorize goes straight through.
    code = _code_from(_authorize(client, app))
    assert _exchange(client, app, code)["openid"] == openid


def test_picking_an_existing_user(client, app, phone):
    first = phone.new_user("甲")
    phone.new_user("乙")
    client.delete_cookie("sim_openid")
    page = _authorize(client, app)
    assert first in page.get_data(as_text=True)
    code = _code_from(client.post(page.request.full_path, data={"openid": first}))
    assert _exchange(client, app, code)["openid"] == first


def test_authorize_refuses_bad_queries_with_a_page(client, app, phone):
    phone.new_user()
    cases = [({"appid": "wxother"}, "40013"), ({"appid": ""}, "10012"),
             ({"redirect_uri": ""}, "10011"),
             ({"redirect_uri": "https://evil.example/cb"}, "10003"),
             ({"redirect_uri": "javascript:alert(1)"}, "10003"),
             ({"scope": ""}, "10010"), ({"scope": "snsapi_login"}, "10005"),
             ({"response_type": "token"}, "10001"), ({"state": "s" * 129}, "10001")]
    for overrides, code in cases:
        res = _authorize(client, app, **overrides)
        assert res.status_code == 400, overrides
        assert code in res.get_data(as_text=True), overrides


def test_h5_page_logs_in_through_the_simulator(client, app, phone):
    """GET /h5/account/bind → fake authorize → /h5/oauth/callback → the page knows the user."""
    openid = phone.new_user()
    first = client.get("/h5/account/bind")
    assert first.status_code == 302
    to_authorize = urlsplit(first.headers["Location"])
    assert to_authorize.path == "/sim/api/connect/oauth2/authorize"
    authorized = client.get(to_authorize.path, query_string=to_authorize.query)
    assert authorized.status_code == 302
    to_callback = urlsplit(authorized.headers["Location"])
    assert to_callback.path == "/h5/oauth/callback"
    back = client.get(to_callback.path, query_string=to_callback.query)
    assert back.status_code == 302 and back.headers["Location"] == "/h5/account/bind"
    page = client.get("/h5/account/bind")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="hall-channel" content="wechat"' in html and "绑定" in html
    with client.session_transaction() as sess:  # … and it is the simulated user
        assert sess["wechat_openid"] == openid
    # The code was spent by the callback: replaying the callback fails like WeChat.
    again = client.get(to_callback.path, query_string=to_callback.query)
    assert again.status_code == 400


def test_switching_the_simulated_user_drops_the_h5_identity(client, app, phone):
    phone.new_user("甲")
    client.get("/h5/account/bind")  # starts OAuth: state in the session
    with client.session_transaction() as sess:
        sess["wechat_openid"] = "o_previous_user_0001"
    phone.new_user("乙")
    with client.session_transaction() as sess:
        assert "wechat_openid" not in sess
