"""Our WeChat API client: wechatpy's, with its gaps closed (docs/ARCHITECTURE.md, WeChat's rules).

- One access token for every process, kept in Redis and refreshed under a Redis lock,
  through ``/cgi-bin/stable_token`` (wechatpy keeps the expiry per process).
- 40001/42001 refresh the token once and retry once (wechatpy recurses without bound).
- 45015/45047 and every other refusal surface as :class:`WeChatRefused`, never retried.
- Every WeChat host is routed to the configured base URL (the simulator in development).
"""
import json
import logging
import uuid
from urllib.parse import quote

import requests
from flask import current_app, has_request_context, request
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from wechat_hall.adapters.wsgi_transport import WSGITransport
from wechat_hall.telemetry import metrics

log = logging.getLogger(__name__)

WECHAT_HOSTS = ("https://api.weixin.qq.com", "https://open.weixin.qq.com")
TOKEN_ERRORS = {40001, 40014, 42001}
ERROR_TEXT = {
    45015: "回复时间超过限制（用户 48 小时内未与公众号互动）",
    45047: "客服消息下行条数超过上限",
    40164: "调用接口的 IP 不在白名单中",
    43004: "用户未关注公众号",
    47003: "模板参数不准确",
    40003: "不合法的 OpenID",
}


class WeChatRefused(Exception):
    """WeChat answered with an error code. ``permanent`` tells jobs not to retry."""

    def __init__(self, errcode, errmsg):
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        metrics.api_error(errcode)  # every refusal is made here, once
        # A refusal is an answer, not an outage: retrying changes nothing.
        self.permanent = errcode not in TOKEN_ERRORS and errcode not in (-1, 45009)

    @property
    def text(self):
        return ERROR_TEXT.get(self.errcode, self.errmsg)


class RewriteHostAdapter(HTTPAdapter):
    """Sends requests for a WeChat host to ``base`` instead (a proxy or a simulator)."""

    def __init__(self, host, base, **kwargs):
        super().__init__(**kwargs)
        self.host, self.base = host, base.rstrip("/")

    def send(self, request, **kwargs):
        request.url = self.base + request.url[len(self.host):]
        return super().send(request, **kwargs)


def api_base_url(app=None):
    """Where WeChat's API lives for this app: configured, simulator, or WeChat itself."""
    cfg = (app or current_app).config
    if cfg["WECHAT_API_BASE_URL"]:
        return cfg["WECHAT_API_BASE_URL"]
    if cfg["SIMULATOR_ENABLED"]:
        return cfg["PUBLIC_BASE_URL"] + "/sim/api"
    return None


def route_session(http, app):
    """Mount the adapters that send WeChat's hosts where this app's config says."""
    cfg = app.config
    for host in WECHAT_HOSTS:
        if cfg["WECHAT_API_BASE_URL"]:
            http.mount(host + "/", RewriteHostAdapter(host, cfg["WECHAT_API_BASE_URL"]))
        elif cfg["SIMULATOR_ENABLED"]:
            http.mount(host + "/", WSGITransport(app.wsgi_app, "/sim/api"))
    return http


class HallWeChatClient(WeChatClient):
    """wechatpy's client with a shared, lock-refreshed token and bounded retries."""

    LOCK_TIMEOUT = 10

    def __init__(self, app, redis):
        super().__init__(app.config["WECHAT_APPID"], app.config["WECHAT_SECRET"],
                         timeout=app.config["WECHAT_HTTP_TIMEOUT"])
        self.redis = redis
        route_session(self._http, app)

    @property
    def access_token_key(self):
        return f"wechat:token:{self.appid}"

    @property
    def access_token(self):
        token = self.redis.get(self.access_token_key)
        if token:
            return token.decode()
        return self.refresh_token(stale=None)

    def refresh_token(self, stale):
        """Fetch a new token unless another process already replaced ``stale``.

        ``stale`` is the token that failed (or None when there is none). Under the lock
        we look again: if Redis holds a different token, someone refreshed it already.
        """
        with self.redis.lock(f"{self.access_token_key}:lock", timeout=self.LOCK_TIMEOUT,
                             blocking_timeout=self.LOCK_TIMEOUT):
            current = self.redis.get(self.access_token_key)
            if current and current.decode() != stale:
                return current.decode()
            result = self._post_json("https://api.weixin.qq.com/cgi-bin/stable_token", {
                "grant_type": "client_credential", "appid": self.appid,
                "secret": self.secret, "force_refresh": stale is not None,
            })
            token = result.get("access_token")
            if not token:
                raise WeChatRefused(-1, "no access_token in the answer")
            ttl = max(int(result.get("expires_in", 7200)) - 300, 60)
            self.redis.set(self.access_token_key, token, ex=ttl)
            return token

    def fetch_access_token(self):
        return {"access_token": self.refresh_token(stale=None)}

    def _post_json(self, url, body):
        res = self._http.post(url, data=json.dumps(body, ensure_ascii=False).encode(),
                              timeout=self.timeout)
        try:
            result = res.json()
        except ValueError:
            raise WeChatRefused(-1, f"HTTP {res.status_code}")
        if result.get("errcode"):
            raise WeChatRefused(int(result["errcode"]), result.get("errmsg", ""))
        return result

    def _request(self, method, url_or_endpoint, **kwargs):
        """One retry after a token error, then the error stands."""
        retried = kwargs.pop("_retried", False)
        used = None
        if "params" not in kwargs or "access_token" not in (kwargs.get("params") or {}):
            used = self.access_token
            kwargs.setdefault("params", {})
            kwargs["params"] = dict(kwargs["params"] or {}, access_token=used)
        self.auto_retry = False
        try:
            return super()._request(method, url_or_endpoint, **kwargs)
        except WeChatClientException as exc:
            code = int(exc.errcode) if exc.errcode is not None else -1
            if code in TOKEN_ERRORS and not retried:
                self.refresh_token(stale=used or kwargs["params"].get("access_token"))
                kwargs["params"].pop("access_token", None)
                return self._request(method, url_or_endpoint, _retried=True, **kwargs)
            raise WeChatRefused(code, exc.errmsg or str(exc)) from None
        except requests.RequestException as exc:
            raise WeChatRefused(-1, f"网络错误：{exc}") from None


def init_app(app):
    app.extensions["wechat_client"] = None


def get_client():
    app = current_app._get_current_object()
    client = app.extensions.get("wechat_client")
    if client is None:
        from wechat_hall.redis_store import get_redis
        client = HallWeChatClient(app, get_redis())
        app.extensions["wechat_client"] = client
    return client


def send_text(openid, text):
    """Send a customer-service text message. Raises :class:`WeChatRefused`."""
    return get_client().message.send_text(openid, text)


def send_template(openid, template_id, data, url=None, client_msg_id=None):
    """Template message with ``client_msg_id`` so a retried send is not sent twice."""
    body = {"touser": openid, "template_id": template_id, "data": data,
            "client_msg_id": client_msg_id or uuid.uuid4().hex}
    if url:
        body["url"] = url
    return get_client().post("message/template/send", data=body)


def oauth_authorize_url(redirect_uri, state, scope="snsapi_base"):
    """The URL that starts WeChat OAuth2 (P-4); the browser goes there, not us."""
    cfg = current_app.config
    base = api_base_url() or "https://open.weixin.qq.com"
    if cfg["SIMULATOR_ENABLED"] and not cfg["WECHAT_API_BASE_URL"] and has_request_context():
        # The browser must reach the simulator where it reached us, whatever the port.
        base = request.host_url.rstrip("/") + "/sim/api"
    appid = cfg["WECHAT_APPID"]
    return (f"{base}/connect/oauth2/authorize?appid={appid}"
            f"&redirect_uri={quote(redirect_uri, safe='')}&response_type=code"
            f"&scope={scope}&state={state}#wechat_redirect")


def oauth_exchange(code):
    """Trade an OAuth code for the openid. Raises :class:`WeChatRefused` (40029 …)."""
    cfg = current_app.config
    http = getattr(get_client(), "_http")
    res = http.get("https://api.weixin.qq.com/sns/oauth2/access_token", params={
        "appid": cfg["WECHAT_APPID"], "secret": cfg["WECHAT_SECRET"],
        "code": code, "grant_type": "authorization_code"}, timeout=cfg["WECHAT_HTTP_TIMEOUT"])
    try:
        result = res.json()
    except ValueError:
        raise WeChatRefused(-1, f"HTTP {res.status_code}") from None
    if result.get("errcode"):
        raise WeChatRefused(int(result["errcode"]), result.get("errmsg", ""))
    return result

