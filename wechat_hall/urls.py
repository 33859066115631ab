"""Absolute URLs of our pages as the outside world (WeChat, e-mails) must see them, and
the one rule for where a ``next`` may send anyone."""
from urllib.parse import urlsplit

from flask import current_app, url_for


def local_path(target):
    """``target`` when it is a path on this site, else None: a ``next`` (after a login,
    OAuth, activation) never sends anyone elsewhere. No scheme or host, one leading
    slash (``//host`` is a host), no backslash (browsers read it as a slash) and no
    control characters (a tab or newline splits the URL in some browsers)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def public_url(endpoint, **values):
    """``url_for`` against ``PUBLIC_BASE_URL``; works outside a request (jobs, handlers).

    Links without arguments are the same for the life of the app (chat replies link
    the same few pages on every push), so they are built once per app.
    """
    app = current_app._get_current_object()
    cache = app.extensions.setdefault("public_urls", {})
    if not values and endpoint in cache:
        return cache[endpoint]
    base = app.config["PUBLIC_BASE_URL"]
    with app.test_request_context("/", base_url=base):
        url = url_for(endpoint, _external=True, **values)
    if not values:
        cache[endpoint] = url
    return url


def wechat_url(endpoint, **values):
    """The link a WeChat user gets (menus, chat replies): through the ``/h5/wx`` door,
    which learns the openid first (h5/oauth.py)."""
    url = public_url(endpoint, **values)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    path = url[len(base):] if url.startswith(base) else url
    if path.startswith("/h5/"):
        return base + "/h5/wx/" + path[len("/h5/"):]
    return url
