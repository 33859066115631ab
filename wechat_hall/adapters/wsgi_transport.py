"""A ``requests`` transport that answers from a WSGI app instead of the network.

Used when the simulator is on and no ``WECHAT_API_BASE_URL`` is set: the WeChat client
then talks to the simulator's fake API inside this process, so `flask menu push` and the
jobs work even when no server is running.
"""
from io import BytesIO
from urllib.parse import urlsplit

from requests.adapters import BaseAdapter
from requests.models import Response
from requests.structures import CaseInsensitiveDict
from werkzeug.test import EnvironBuilder, run_wsgi_app


class WSGITransport(BaseAdapter):
    def __init__(self, app, path_prefix=""):
        super().__init__()
        self.app = app
        self.path_prefix = path_prefix.rstrip("/")

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        body = request.body.encode() if isinstance(request.body, str) else request.body
        builder = EnvironBuilder(path=self.path_prefix + parts.path, query_string=parts.query,
                                 method=request.method, data=body or b"",
                                 headers=dict(request.headers))
        try:
            env = builder.get_environ()
        finally:
            builder.close()
        app_iter, status, headers = run_wsgi_app(self.app, env)
        try:
            content = b"".join(app_iter)
        finally:
            if hasattr(app_iter, "close"):
                app_iter.close()
        resp = Response()
        resp.status_code = int(status.split()[0])
        resp.reason = status.split(" ", 1)[1] if " " in status else ""
        resp.headers = CaseInsensitiveDict(headers)
        resp.raw = BytesIO(content)
        resp._content = content
        resp.encoding = "utf-8"
        resp.url = request.url
        resp.request = request
        resp.connection = self
        return resp

    def close(self):
        pass
