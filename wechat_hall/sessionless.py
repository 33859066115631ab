"""No cookie session for the URLs that never carry one (``/wechat``, issue 15).

WeChat's servers send no cookies, and the push handlers never read or write the
session; opening one still costs every push a signer and a cookie parse. This wraps
whatever session interface the app uses (cookies now, server-side sessions later): on
the listed paths the request gets Flask's null session (reading it is empty, writing it
raises) and nothing is saved; every other request is the wrapped interface's.
"""
from flask.sessions import SessionInterface


class SessionlessPaths(SessionInterface):
    def __init__(self, inner, paths):
        self.inner = inner
        self.paths = frozenset(paths)

    def __getattr__(self, name):  # anything else the wrapped interface offers
        return getattr(self.inner, name)

    def open_session(self, app, request):
        if request.path in self.paths:
            return self.make_null_session(app)
        return self.inner.open_session(app, request)

    def is_null_session(self, obj):
        return isinstance(obj, self.null_session_class) or self.inner.is_null_session(obj)

    def save_session(self, app, session, response):
        if isinstance(session, self.null_session_class):
            return None
        return self.inner.save_session(app, session, response)


def init_app(app, paths):
    app.session_interface = SessionlessPaths(app.session_interface, paths)
