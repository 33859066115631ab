"""Graphic captcha (图形验证码) for the web forms of ACC-1/2/7: drawn by ``captcha``.

A challenge is 4 characters from an alphabet without look-alikes: no 0/O/Q, 1/I/L,
2/Z, 5/S, 8/B, U/V, 6/G, and no M/W, which the monospaced font squeezes into a smudge.
Drawn larger, tilted and warped less, the glyphs barely overlapping (issue 16: about one
in four was misread at 5× zoom); the noise dots and curve keep it a captcha. Only
an HMAC of the answer is kept in Redis, for ``CAPTCHA_TTL`` seconds (default 300), and a
challenge is used up by the first check, right or wrong, so one image allows one guess.

Without Redis there is nowhere to keep the answer: both steps raise :class:`Unavailable`
(issue 13 item 9), which the pages turn into a clear message instead of a 500. Falling back
to no captcha would open the web login to guessing, so there is no fallback.
"""
import hashlib
import hmac
import secrets
import threading
import unicodedata

import redis
from captcha.image import ImageCaptcha, random_color
from flask import current_app

from wechat_hall.redis_store import get_redis

ALPHABET = "234789ACDEFHJKNPRTXY"
LENGTH = 4
DEFAULT_TTL = 300
WIDTH, HEIGHT = 180, 60

UNAVAILABLE = "图形验证码暂时无法使用，请稍后再试。"

_local = threading.local()  # Pillow's font objects are not shared between threads


class _Drawer(ImageCaptcha):
    # The library pastes each glyph with its own brightness as opacity, so dark ink came
    # out faint; this table makes any ink but the faintest opaque.
    lookup_table = [min(255, i * 6) for i in range(256)]
    character_rotate = (-12, 12)       # the library: ±30°
    character_warp_dx = (0.05, 0.15)   # ±0.3 of the glyph
    character_warp_dy = (0.05, 0.15)
    character_offset_dy = (0, 4)
    word_offset_dx = 0.04              # glyphs overlap by at most 4 % (the library: 25 %)


class Unavailable(Exception):
    """The captcha store (Redis) cannot be reached."""

    def __init__(self):
        super().__init__(UNAVAILABLE)


def _drawer():
    if not hasattr(_local, "drawer"):
        _local.drawer = _Drawer(width=WIDTH, height=HEIGHT, font_sizes=(44, 46, 48))
    return _local.drawer


def new_challenge():
    """A fresh challenge: ``(challenge_id, png_bytes)``; the id goes in the session."""
    answer = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    challenge_id = secrets.token_urlsafe(16)
    ttl = float(current_app.config.get("CAPTCHA_TTL", DEFAULT_TTL))
    try:
        get_redis().set(_key(challenge_id), _digest(challenge_id, answer),
                        px=max(1, int(ttl * 1000)))
    except redis.RedisError:
        raise Unavailable() from None
    ink = random_color(30, 120, 255)  # dark, on the library's pale background
    png = _drawer().generate(answer, format="png", fg_color=ink).getvalue()
    return challenge_id, png


def check(challenge_id, answer):
    """True once for the right answer (any case, full-width letters too); False otherwise.

    The challenge is consumed whatever the answer, so it cannot be guessed at twice.
    Raises Unavailable without Redis.
    """
    if not challenge_id or not isinstance(challenge_id, str) or len(challenge_id) > 64:
        return False
    pipe = get_redis().pipeline(transaction=True)
    pipe.get(_key(challenge_id))
    pipe.delete(_key(challenge_id))
    try:
        stored, _ = pipe.execute()
    except redis.RedisError:
        raise Unavailable() from None
    if stored is None:
        return False
    entered = unicodedata.normalize("NFKC", str(answer or "")).strip().upper()
    stored = stored.decode() if isinstance(stored, bytes) else stored
    return hmac.compare_digest(stored, _digest(challenge_id, entered))


def _key(challenge_id):
    return f"captcha:{challenge_id}"


def _digest(challenge_id, answer):
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else str(key).encode()
    message = f"captcha\x00{challenge_id}\x00{answer.upper()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
