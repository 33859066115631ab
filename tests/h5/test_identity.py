"""H5 identity through WeChat OAuth (P-4), the home grid (PUB-1), /healthz."""
from urllib.parse import parse_qs, urlsplit

import pytest

from wechat_hall.services.wechat import api


def test_home_grid_lists_every_feature_of_pub1(client):
    html = client.get("/h5/").get_data(as_text=True)
    for label in ("我的一码通", "证券持有余额", "证券持有变更", "证券冻结情况", "新股配号中签情况",
                  "股息红利个人所得税", "放弃认购数据", "业务预约", "网络投票", "在线客服"):
        assert label in html
    assert "http://" not in html.replace("http://hall.test", "").replace(
        'xmlns="http://', "")  # everything served locally, no CDN


def test_page_needing_the_user_starts_oauth_with_a_state(client):
    resp = client.get("/h5/appointments")
    assert resp.status_code == 302
    url = urlsplit(resp.headers["Location"])
    assert url.path == "/sim/api/connect/oauth2/authorize"
    query = parse_qs(url.query)
    assert query["scope"] == ["snsapi_base"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://localhost/h5/oauth/callback"]
    assert len(query["state"][0]) >= 16 and query["state"][0].isalnum()
    assert resp.headers["Location"].endswith("#wechat_redirect")


def _start(client, path="/h5/appointments"):
    location = client.get(path).headers["Location"]
    return parse_qs(urlsplit(location).query)["state"][0]


def test_callback_with_a_good_state_and_code_signs_the_user_in(client, monkeypatch):
    codes = []
    monkeypatch.setattr(api, "oauth_exchange",
                        lambda code: codes.append(code) or {"openid": "o_oauth_user"})
    state = _start(client)
    resp = client.get("/h5/oauth/callback", query_string={"code": "c1", "state": state})
    assert resp.status_code == 302 and resp.headers["Location"] == "/h5/appointments"
    page = client.get("/h5/appointments")
    assert page.status_code == 200
    assert "已识别您的微信身份" in page.get_data(as_text=True)
    assert codes == ["c1"]


def test_callback_with_a_wrong_state_is_refused(client, monkeypatch):
    monkeypatch.setattr(api, "oauth_exchange", lambda code: {"openid": "o_x"})
    _start(client)
    resp = client.get("/h5/oauth/callback", query_string={"code": "c1", "state": "forged"})
    assert resp.status_code == 400
    assert "授权请求已失效" in resp.get_data(as_text=True)


def test_a_state_works_once(client, monkeypatch):
    monkeypatch.setattr(api, "oauth_exchange", lambda code: {"openid": "o_x"})
    state = _start(client)
    client.get("/h5/oauth/callback", query_string={"code": "c1", "state": state})
    again = client.get("/h5/oauth/callback", query_string={"code": "c1", "state": state})
    assert again.status_code == 400


@pytest.mark.parametrize("code", [40029, 40163])
def test_used_or_expired_code_says_start_again(client, monkeypatch, code):
    def refuse(c):
        raise api.WeChatRefused(code, "invalid code")
    monkeypatch.setattr(api, "oauth_exchange", refuse)
    state = _start(client)
    resp = client.get("/h5/oauth/callback", query_string={"code": "c1", "state": state})
    assert resp.status_code == 400
    assert "重新进入" in resp.get_data(as_text=True)


def test_next_never_leaves_the_site(client, monkeypatch):
    monkeypatch.setattr(api, "oauth_exchange", lambda code: {"openid": "o_x"})
    with client.session_transaction() as sess:
        sess["oauth_state"] = "abc123"
        sess["oauth_next"] = "//evil.example/steal"
    resp = client.get("/h5/oauth/callback", query_string={"code": "c", "state": "abc123"})
    assert resp.headers["Location"] == "/h5/"


def test_session_cookie_is_httponly_and_samesite(client, monkeypatch):
    resp = client.get("/h5/appointments")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_healthz_reports_database_redis_and_queues(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["database"] == "ok" and data["redis"] == "ok"
    assert "outbox" in data["jobs"]


def test_unknown_page_is_a_chinese_404(client):
    resp = client.get("/h5/no-such-page")
    assert resp.status_code == 404
    assert "页面不存在" in resp.get_data(as_text=True)
