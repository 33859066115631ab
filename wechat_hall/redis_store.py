"""The Redis connection every process shares (tokens, dedup, locks, RQ).

With no ``REDIS_URL`` (the embedded default) a fakeredis server stands in. It lives in
this process only, which is fine for `make run`'s single process; production and CI set
``REDIS_URL`` so that several gunicorn workers and RQ workers share one real Redis.
"""
import fakeredis
import redis
from flask import current_app

_fake_server = fakeredis.FakeServer()


def connect(url):
    if url:
        return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    return fakeredis.FakeRedis(server=_fake_server)


def init_app(app):
    app.extensions["redis"] = connect(app.config["REDIS_URL"])


def get_redis():
    return current_app.extensions["redis"]


def is_embedded(app=None):
    return not (app or current_app).config["REDIS_URL"]
