"""Our WeChat client: one shared token, one refresh on 40001, refusals surfaced (§2)."""
import json
import threading

import pytest
from flask import Flask, jsonify, request

from wechat_hall.adapters.wsgi_transport import WSGITransport
from wechat_hall.services.wechat import api


class FakeWeChat:
    """A scripted WeChat: counts token fetches and answers sends as told."""

    def __init__(self):
        self.token_calls = []
        self.sends = []
        self.valid = set()
        self.send_answers = []  # errcodes to answer next (0 = ok)
        self.refuse_all_tokens = False
        self.lock = threading.Lock()
        app = Flask("fakewechat")

        @app.post("/cgi-bin/stable_token")
        def stable_token():
            body = json.loads(request.get_data())
            with self.lock:
                self.token_calls.append(body)
                token = f"T{len(self.token_calls)}"
                if not self.refuse_all_tokens:
                    self.valid.add(token)
            return jsonify(access_token=token, expires_in=7200)

        @app.post("/cgi-bin/message/custom/send")
        def send():
            token = request.args.get("access_token")
            self.sends.append(token)
            if token not in self.valid:
                return jsonify(errcode=40001, errmsg="invalid credential")
            code = self.send_answers.pop(0) if self.send_answers else 0
            return jsonify(errcode=code, errmsg="ok" if code == 0 else "refused")

        self.app = app


@pytest.fixture
def fake(app):
    return FakeWeChat()


def _client(app, fake):
    """A client as a separate process would build it: its own object, shared Redis."""
    client = api.HallWeChatClient(app, app.extensions["redis"])
    for host in api.WECHAT_HOSTS:
        client._http.mount(host + "/", WSGITransport(fake.app.wsgi_app))
    return client


def test_two_processes_share_one_token(app, fake):
    with app.app_context():
        a, b = _client(app, fake), _client(app, fake)
        a.message.send_text("o_1", "hi")
        b.message.send_text("o_2", "hi")
    assert len(fake.token_calls) == 1
    assert fake.sends == ["T1", "T1"]


def test_concurrent_first_use_fetches_the_token_once(app, fake):
    errors = []

    def work():
        try:
            with app.app_context():
                _client(app, fake).message.send_text("o_1", "hi")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(fake.token_calls) == 1


def test_40001_causes_exactly_one_refresh_then_succeeds(app, fake):
    with app.app_context():
        a, b = _client(app, fake), _client(app, fake)
        a.message.send_text("o_1", "hi")
        fake.valid.clear()  # WeChat revoked T1 (e.g. another system fetched a new one)
        a.message.send_text("o_1", "again")
        b.message.send_text("o_1", "from b")  # b sees the refreshed token in Redis
    assert len(fake.token_calls) == 2
    assert fake.token_calls[1]["force_refresh"] is True
    assert fake.sends == ["T1", "T1", "T2", "T2"]


def test_a_token_that_stays_invalid_is_not_refreshed_in_a_loop(app, fake):
    with app.app_context():
        a = _client(app, fake)
        a.message.send_text("o_1", "hi")
        fake.valid.clear()
        fake.refuse_all_tokens = True  # every token WeChat hands out now is refused
        with pytest.raises(api.WeChatRefused) as err:
            a.message.send_text("o_1", "again")
    assert err.value.errcode == 40001
    assert len(fake.token_calls) == 2  # one refresh, not a loop
    assert len(fake.sends) == 3


@pytest.mark.parametrize("code", [45015, 45047])
def test_window_refusals_surface_once_and_are_permanent(app, fake, code):
    fake.send_answers = [code]
    with app.app_context():
        with pytest.raises(api.WeChatRefused) as err:
            _client(app, fake).message.send_text("o_1", "hi")
    assert err.value.errcode == code
    assert err.value.permanent is True
    assert err.value.text  # a Chinese explanation for staff
    assert len(fake.sends) == 1


def test_every_wechat_host_goes_to_the_configured_base_url(make_app):
    app = make_app(WECHAT_API_BASE_URL="http://127.0.0.1:9/proxy")
    client = api.HallWeChatClient(app, app.extensions["redis"])
    for host in api.WECHAT_HOSTS:
        adapter = client._http.get_adapter(host + "/cgi-bin/token")
        assert isinstance(adapter, api.RewriteHostAdapter)
        assert adapter.base == "http://127.0.0.1:9/proxy"
    with app.app_context():
        url = api.oauth_authorize_url("http://hall.test/cb", "abc")
    assert url.startswith("http://127.0.0.1:9/proxy/connect/oauth2/authorize?appid=")
    assert url.endswith("&state=abc#wechat_redirect")


def test_without_simulator_or_base_url_the_real_hosts_are_used(make_app):
    app = make_app(SIMULATOR_ENABLED=False)
    client = api.HallWeChatClient(app, app.extensions["redis"])
    adapter = client._http.get_adapter("https://api.weixin.qq.com/cgi-bin/token")
    assert not isinstance(adapter, (api.RewriteHostAdapter, WSGITransport))
    with app.app_context():
        assert api.oauth_authorize_url("http://x/cb", "s").startswith(
            "https://open.weixin.qq.com/connect/oauth2/authorize")
