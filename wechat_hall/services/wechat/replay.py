"""A push's (timestamp, nonce) works once: WeChat's own retries, never another body (P-1).

The URL signature covers only ``token, timestamp, nonce``, not the body, so whoever has
seen one signed URL (an access log, a proxy) could post any XML with it while the
timestamp is fresh. Every accepted pair is remembered for the clock window together with
a hash of its body: the same pair again with the identical body is WeChat retrying (the
dedup of ``inbound.respond`` answers it with the cached reply); with any other body it is
refused. The pair's ``SET NX`` and ``GET`` (store, or read what is stored) go first in the
push's one Redis round trip (``inbound.respond``), in front of the dedup claim; while
Redis is unreachable the database remembers the pair (``push_ledger``).
"""
import hashlib
import logging
import time

from flask import current_app

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


class Pair:
    """A push's (timestamp, nonce) and body hash, claimed by :meth:`commands` and judged
    by :meth:`judge` once Redis has answered."""

    __slots__ = ("key", "digest", "seconds")

    def __init__(self, timestamp, nonce, body):
        self.key, self.digest = pair_key(timestamp, nonce), body_hash(body)
        self.seconds = _seconds_left(timestamp)

    def commands(self):
        """Store the pair with this body unless it is stored, then read what is stored
        (the key is only ever written by ``SET NX``: what the GET reads is the first
        body's hash, or ours)."""
        return [("SET", self.key, self.digest, "NX", "EX", self.seconds),
                ("GET", self.key)]

    def judge(self, replies):
        """``replies``: those of :meth:`commands` (exceptions when Redis failed). Raises
        :class:`Replayed` when the pair came before with another body."""
        stored, seen = replies
        if isinstance(stored, Exception) or isinstance(seen, Exception):
            log.warning("nonce memory in Redis unavailable (%s): using the database",
                        stored if isinstance(stored, Exception) else seen)
            seen = push_ledger.claim_pair(self.key, self.digest)
        elif stored:  # new: ours
            return
        if seen is None:  # new (database), or gone since the SET: the window has passed
            return
        if isinstance(seen, bytes):
            seen = seen.decode()
        if seen != self.digest:
            raise Replayed("timestamp and nonce already used with another body")
