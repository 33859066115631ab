"""A person's browser and WeChat's servers, talking to the cluster's two servers in turn.

``Browser`` keeps one cookie jar (cookies ignore the port, as a browser's do, so both
servers see the same session) and sends each request to the next server: a redirect
is followed on the other one. Every request is counted per server so the closing note
can say how many crossed between processes.
"""
import itertools
import re
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import requests

from tests.conftest import TEST_AES_KEY, TEST_APPID, TEST_TOKEN
from wechat_hall.simulator import push

CROSSED = Counter()  # what went where: "requests:web1", "pushes:web2" …
_lock = threading.Lock()


def count(kind, server):
    with _lock:
        CROSSED[f"{kind}:{server.name}"] += 1


def csrf_of(html):
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    assert tag, "no csrf_token on the page"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


class Browser:
    def __init__(self, servers, start=0):
        self.servers = servers
        self._turn = itertools.count(start)
        self.http = requests.Session()
        self.last = None

    def next_server(self):
        return self.servers[next(self._turn) % len(self.servers)]

    def request(self, method, path, follow=True, **kwargs):
        """``path`` on the next server; redirects followed, each on the next server."""
        kwargs.setdefault("timeout", 30)
        for _ in range(10):
            server = self.next_server()
            url = path if path.startswith("http") else server.url + path
            parts = urlsplit(url)
            url = server.url + parts.path + (f"?{parts.query}" if parts.query else "")
            resp = self.http.request(method, url, allow_redirects=False, **kwargs)
            count("requests", server)
            self.last = server
            if not follow or resp.status_code not in (301, 302, 303, 307):
                return resp
            path, method, kwargs = resp.headers["Location"], "GET", {"timeout": 30}
        raise AssertionError("too many redirects")

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.request("POST", path, data=data, **kwargs)

    def csrf(self, path):
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code, page.text[:300])
        return csrf_of(page.text)

    def enter_wechat(self, openid, page=""):
        """Follow the account as ``openid`` (a push), then open a page through the /h5/wx
        door: the door, the simulator's authorize page and the callback, each on the
        next server."""
        resp = WeChat().post(self.next_server(), push.event_xml(
            openid, WeChat.target, "subscribe", create_time=int(time.time())))
        assert resp.status_code == 200
        self.http.cookies.set("sim_openid", openid, domain="127.0.0.1", path="/")
        return self.get(f"/h5/wx/{page}")


class WeChat:
    """WeChat's servers: signed, encrypted pushes to a chosen server."""

    target = "gh_testaccount"

    def post(self, server, xml, nonce=None, timestamp=None):
        args, body = push.sign(xml, TEST_TOKEN, TEST_APPID, TEST_AES_KEY, nonce=nonce,
                               timestamp=timestamp)
        resp = requests.post(server.url + "/wechat", params=args, data=body.encode()
                             if isinstance(body, str) else body,
                             headers={"Content-Type": "text/xml"}, timeout=30)
        count("pushes", server)
        return resp

    @staticmethod
    def reply_of(resp):
        assert resp.status_code == 200, (resp.status_code, resp.text[:200])
        return push.open_reply(resp.text, TEST_TOKEN, TEST_APPID, TEST_AES_KEY)

    def text(self, server, openid, content, msg_id, **kw):
        return self.post(server, push.text_xml(openid, self.target, content, msg_id=msg_id), **kw)
