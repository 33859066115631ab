"""Entry point for gunicorn and `flask`: ``gunicorn wsgi:app``."""
from wechat_hall import create_app

app = create_app()
