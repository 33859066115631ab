"""A push's (timestamp, nonce) works once: WeChat's own retries, never another body (P-1).

The URL signature covers only ``token, timestamp, nonce``, not the body, so whoever has
seen one signed URL (an access log, a proxy) could post any XML with it while the
timestamp is fresh. Every accepted pair is remembered for the clock window together with
a hash of its body: the same pair again with the identical body is WeChat retrying (the
dedup of ``inbound.respond`` answers it with the cached reply); with any other body it is
refused. One Redis round trip per push (``SET NX GET``: store, or read what is stored);
while Redis is unreachable the database remembers the pair (``push_ledger``).
"""
import hashlib
import logging
import time

from flask import current_app
from redis.exceptions import RedisError

from wechat_hall.redis_store import get_redis

from . import push_ledger

log = logging.getLogger(__name__)


class Replayed(Exception):
    """A (timestamp, nonce) already used with a different body."""


def pair_key(timestamp, nonce):
    digest = hashlib.sha1(f"{timestamp}\x00{nonce}".encode()).hexdigest()
    return "wechat:nonce:" + digest


def body_hash(body):
    data = body if isinstance(body, bytes) else str(body).encode()
    return hashlib.sha256(data).hexdigest()


def _seconds_left(timestamp):
    """How long the pair can still pass the timestamp check, plus a second."""
    skew = current_app.config["WECHAT_MAX_CLOCK_SKEW"]
    return max(1, int(int(timestamp) + skew - time.time()) + 1)


def check(timestamp, nonce, body):
    """Remember the pair with this body, or refuse it if it came with another body.

    Call after the signature (and in safe mode the ``msg_signature``) has been checked,
    so only pushes that passed every other check claim a pair.
    """
    key, digest = pair_key(timestamp, nonce), body_hash(body)
    try:
        seen = get_redis().set(key, digest, nx=True, ex=_seconds_left(timestamp), get=True)
    except RedisError as exc:
        log.warning("nonce memory in Redis unavailable (%s): using the database", exc)
        seen = push_ledger.claim_pair(key, digest)
    if seen is None:
        return
    if isinstance(seen, bytes):
        seen = seen.decode()
    if seen != digest:
        raise Replayed("timestamp and nonce already used with another body")
