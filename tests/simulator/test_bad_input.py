"""No simulator page or fake-API call answers 500 (or HTML on the API) on bad input."""
import pytest

JUNK_BODIES = [b"", b"null", b"[]", b"\xff\xfe", b"{\"touser\": [1]}", b"<xml></xml>",
               b"{\"button\": {\"a\": 1}}", "{\"touser\": \"\u0000\"}".encode(),
               b"{\"touser\": \"o\", \"msgtype\": \"text\", \"text\": [\"x\"]}",
               b"{\"grant_type\": \"client_credential\", \"appid\": 1, \"secret\": {}}",
               b"{\"touser\": \"oX\", \"template_id\": 5, \"data\": {\"thing1\": {\"value\": []}}}",
               b"{\"client_msg_id\": 3, \"touser\": \"oX\", \"template_id\": \"T\"}"]
API_PATHS = ["/cgi-bin/token", "/cgi-bin/stable_token", "/cgi-bin/menu/create",
             "/cgi-bin/menu/get", "/cgi-bin/menu/delete", "/cgi-bin/message/custom/send",
             "/cgi-bin/message/template/send", "/cgi-bin/user/info",
             "/sns/oauth2/access_token", "/cgi-bin/unknown", ""]


@pytest.mark.parametrize("path", API_PATHS)
def test_fake_api_always_answers_wechat_json(client, fake_api, path):
    for token in (None, "junk", fake_api.token):
        params = {"access_token": token} if token else {}
        for body in JUNK_BODIES:
            res = client.post("/sim/api" + path, query_string=params, data=body)
            assert res.status_code == 200 and res.is_json, (path, body)
            assert "errcode" in res.get_json() or "access_token" in res.get_json()
        res = client.get("/sim/api" + path, query_string=dict(
            params, openid=["a", "b"], appid="\u0000", code="'", grant_type="x" * 5000))
        assert res.status_code == 200 and res.is_json, path


def test_authorize_page_never_fails(client, app):
    for query in ({}, {"appid": app.config["WECHAT_APPID"], "redirect_uri": "http://[::1"},
                  {"appid": app.config["WECHAT_APPID"], "redirect_uri": "http://localhost/",
                   "response_type": "code", "scope": "snsapi_base", "state": "\u0000"}):
        assert client.get("/sim/api/connect/oauth2/authorize",
                          query_string=query).status_code in (200, 302, 400)
    res = client.post("/sim/api/connect/oauth2/authorize", query_string={
        "appid": app.config["WECHAT_APPID"], "redirect_uri": "http://localhost/",
        "response_type": "code", "scope": "snsapi_base", "state": "s"},
        data={"openid": "../../etc"})
    assert res.status_code == 200  # unknown user: the picker again


@pytest.mark.parametrize("body", [
    {}, {"openid": ["x"]}, {"openid": "bad openid!"},
    {"openid": None, "type": "text"}, "just a string", [1, 2],
])
def test_chat_endpoints_refuse_junk_politely(phone, body):
    for path in ("/sim/send", "/sim/resend", "/sim/users/select"):
        res = phone.client.post(path, json=body)
        assert res.status_code in (400, 404) and "error" in res.get_json(), (path, body)


def test_send_with_strange_fields(phone):
    openid = phone.follower()
    for body in ({"type": "text", "content": {"a": 1}}, {"type": "text", "content": ""},
                 {"type": "text", "content": "长" * 2001}, {"type": "event", "event": "hack"},
                 {"type": "event", "event": "CLICK"}, {"type": "event", "event": "CLICK",
                                                       "key": ["FAQ"]},
                 {"type": "voice"}, {"type": "text", "content": "]]><xml>"}):
        res = phone.send(openid, **body)
        assert res.status_code in (200, 400), body
    reply = phone.text(openid, "]]><b>粗体</b>").get_json()["item"]
    assert reply["content"] == "]]><b>粗体</b>"  # CDATA-safe round trip


def test_pages_with_junk_parameters(client):
    for url in ("/sim/?openid=%00", "/sim/state?openid=../x", "/sim/state?openid=",
                "/sim/feed?after=abc&inbox_after=-5&openid=x", "/sim/inbox?to=%ff&channel=x",
                "/sim/inbox/attachment/abc"):
        assert client.get(url).status_code in (200, 400, 404), url  # 400: the NUL
