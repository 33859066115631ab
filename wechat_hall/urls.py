"""Absolute URLs of our pages as the outside world (WeChat, e-mails) must see them."""
from flask import current_app, url_for


def public_url(endpoint, **values):
    """``url_for`` against ``PUBLIC_BASE_URL``; works outside a request (jobs, handlers)."""
    app = current_app._get_current_object()
    base = app.config["PUBLIC_BASE_URL"]
    with app.test_request_context("/", base_url=base):
        return url_for(endpoint, _external=True, **values)
