"""The inbound WeChat protocol (P-1), rule by rule as docs/ARCHITECTURE.md lists them.

The view in ``handlers/endpoint.py`` only calls these functions; all rules live here:
signature and timestamp checks, safe-mode decryption, parsing, de-duplication with the
rendered reply cached in Redis, and the time budget after which we answer ``success``
and let the handler's answer follow as a customer-service message.
"""
import contextvars
import hashlib
import hmac
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from xml.parsers.expat import ExpatError

from flask import current_app
from redis.exceptions import RedisError
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import BaseReply, TextReply
from wechatpy.utils import to_text

from wechat_hall.redis_store import get_redis
from wechat_hall.services import redis_batch
from wechat_hall.telemetry import metrics

from . import push_ledger, replay

log = logging.getLogger(__name__)

SUCCESS = "success"
_PENDING = b"\x00pending"
_executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="wechat-handler")


class Refused(Exception):
    """The push is refused with an HTTP status (403 forged or stale, 400 malformed)."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _sha1(*parts):
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode()).hexdigest()


def _same(expected, given):
    return hmac.compare_digest(expected.encode(), (given or "").encode())


def check_signature(args):
    """``sha1(sorted(token, timestamp, nonce)) == signature`` in constant time, and fresh."""
    cfg = current_app.config
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    if not _same(_sha1(cfg["WECHAT_TOKEN"], timestamp, nonce), args.get("signature")):
        raise Refused(403, "bad signature")
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        raise Refused(403, "bad timestamp") from None
    if age > cfg["WECHAT_MAX_CLOCK_SKEW"]:
        raise Refused(403, "stale timestamp")


def verify_url(args):
    """GET /wechat: WeChat's URL check. Returns the echostr to send back."""
    check_signature(args)
    return args.get("echostr", "")


class Envelope:
    """How a push arrived (plain or safe mode), so the reply goes back the same way."""

    def __init__(self, args, crypto=None):
        self.args = args
        self.crypto = crypto
        self.pair = None  # replay.Pair: claimed in respond's round trip

    def seal(self, xml):
        if self.crypto is None or xml == SUCCESS:
            return xml
        return self.crypto.encrypt_message(xml, self.args.get("nonce", ""),
                                           self.args.get("timestamp"))


def open_push(args, body):
    """Check, decrypt and parse a POST. Returns ``(message, envelope)``."""
    cfg = current_app.config
    check_signature(args)
    envelope = Envelope(args)
    xml = body
    if cfg["WECHAT_AES_KEY"] and args.get("encrypt_type") != "aes" and (
            not cfg["WECHAT_COMPATIBLE_MODE"]):
        # Safe mode: only the ciphertext is signed (msg_signature); a plain body under a
        # URL signature is anyone's text (docs/SECURITY.md, forged pushes).
        raise Refused(403, "plain push refused in safe mode")
    if args.get("encrypt_type") == "aes":
        if not cfg["WECHAT_AES_KEY"]:
            raise Refused(400, "safe mode push but no WECHAT_AES_KEY configured")
        envelope.crypto = _crypto(cfg)
        encrypt = _extract_encrypt(body)
        if not _same(_sha1(cfg["WECHAT_TOKEN"], args.get("timestamp", ""),
                           args.get("nonce", ""), encrypt), args.get("msg_signature")):
            raise Refused(403, "bad msg_signature")
        try:
            xml = envelope.crypto.decrypt_message({"Encrypt": encrypt},
                                                  args.get("msg_signature"),
                                                  args.get("timestamp"), args.get("nonce"))
        except InvalidSignatureException:
            raise Refused(403, "bad msg_signature") from None
        except InvalidAppIdException:
            raise Refused(403, "appid mismatch") from None
        except Exception:
            raise Refused(400, "cannot decrypt") from None
    envelope.pair = replay.Pair(args.get("timestamp", ""), args.get("nonce", ""), body)
    try:
        message = parse_message(to_text(xml))
    except (ExpatError, KeyError, TypeError, ValueError, AttributeError, UnicodeDecodeError):
        raise Refused(400, "malformed xml") from None
    if message is None or not message.source or not message.target:
        raise Refused(400, "malformed xml")
    return message, envelope


def _crypto(cfg):
    """One WeChatCrypto per account settings (it only holds the decoded key)."""
    ident = (cfg["WECHAT_TOKEN"], cfg["WECHAT_AES_KEY"], cfg["WECHAT_APPID"])
    crypto = _cryptos.get(ident)
    if crypto is None:
        crypto = _cryptos[ident] = WeChatCrypto(*ident)
    return crypto


_cryptos = {}


def _extract_encrypt(body):
    import xmltodict
    try:
        data = xmltodict.parse(to_text(body))["xml"]
        encrypt = data["Encrypt"]
    except (ExpatError, KeyError, TypeError, ValueError, UnicodeDecodeError):
        raise Refused(400, "malformed xml") from None
    if not isinstance(encrypt, str) or not encrypt:
        raise Refused(400, "malformed xml")
    return encrypt


def dedup_key(message):
    """MsgId for messages; FromUserName+CreateTime+Event+EventKey for events."""
    msg_id = getattr(message, "id", None)
    if message.type == "event" or not msg_id:
        event = getattr(message, "event", "") or ""
        key = getattr(message, "key", None) or getattr(message, "scene_id", None) or ""
        ident = f"e:{message.source}:{int(message.create_time.timestamp())}:{event}:{key}"
    else:
        ident = f"m:{msg_id}"
    return "wechat:push:" + hashlib.sha1(f"{message.target}:{ident}".encode()).hexdigest()


def claim_commands(key, cfg):
    """The dedup claim: the command whose reply decides whether the handler runs."""
    return [("SET", key, _PENDING, "NX", "EX", cfg["WECHAT_DEDUP_TTL"])]


def respond(message, handle, envelope=None):
    """Run ``handle(message)`` once per push and return the XML (or ``success``) to send.

    One Redis round trip first: the push's (timestamp, nonce) (``envelope.pair``,
    replay.py), the dedup claim, and what the handler will need (``handle.probes``, left
    on the message as ``message.prefetched``). A pair used before with another body is
    :class:`Refused` (403). A retry of a push we are still working on waits for the first
    answer within the budget; a retry of a finished push gets the cached answer; the
    handler never runs twice for the same push.
    """
    cfg = current_app.config
    r = get_redis()
    key = dedup_key(message)
    budget = cfg["WECHAT_REPLY_BUDGET"]
    probes = list(getattr(handle, "probes", lambda m: ())(message))
    pair = envelope.pair if envelope is not None else None
    front = (pair.commands() if pair else []) + claim_commands(key, cfg)
    replies, per_probe = redis_batch.execute(r, front, probes)
    claimed = replies[-1]
    if pair is not None:
        try:
            pair.judge(replies[:-1])
        except replay.Replayed:
            if claimed is True:  # the forged body's own MsgId: give the key back
                _forget_claim(r, key)
            raise Refused(403, "nonce already used") from None
    if redis_batch.failed(claimed):
        # Without Redis the dedup key is a database row (push_ledger): WeChat's retries
        # during an outage still get the first reply and never run the handler again.
        log.error("dedup in Redis unavailable (%s): using the database", claimed)
        r, claimed = None, push_ledger.claim(key)
    if not claimed:
        metrics.DEDUP_HITS.inc()
        return _wait_for_first(r, key, budget)
    message.prefetched = redis_batch.answers(probes, per_probe)
    app = current_app._get_current_object()
    # The handler's thread carries the request id (copied context) into the jobs it asks.
    future = _executor.submit(contextvars.copy_context().run, _run_handler, app, handle,
                              message)
    try:
        reply = future.result(timeout=budget)
    except FutureTimeout:
        _remember(r, key, SUCCESS, cfg)
        metrics.BUDGET_OVERRUNS.inc()
        future.add_done_callback(lambda f: _reply_late(app, message, f))
        log.info("handler over budget for %s; answering success, reply follows", key)
        return SUCCESS
    xml = render(reply, message)
    _remember(r, key, xml, cfg)
    return xml


def _forget_claim(r, key):
    try:
        r.delete(key)
    except RedisError as exc:
        log.warning("could not give back the dedup key of a refused push: %s", exc)


def _remember(r, key, xml, cfg):
    """Cache the reply for WeChat's retries: in Redis by the process's writer, a few
    milliseconds after the answer (redis_batch.Writer), or in the database while Redis
    was unreachable at the claim."""
    if r is None:
        push_ledger.remember(key, xml)
        return
    redis_batch.Writer.of(current_app, "wechat-replies").put(
        "SET", key, xml, "EX", cfg["WECHAT_DEDUP_TTL"])


def _wait_for_first(r, key, budget):
    deadline = time.monotonic() + budget
    while True:
        if r is None:
            cached = push_ledger.peek(key)
            cached = _PENDING if cached is push_ledger.PENDING else cached
        else:
            try:
                cached = r.get(key)
            except RedisError:
                return SUCCESS
        if cached is None:
            return SUCCESS  # expired while we looked: the effect has happened once
        if cached != _PENDING:
            return cached.decode() if isinstance(cached, bytes) else cached
        if time.monotonic() >= deadline:
            return SUCCESS
        time.sleep(0.05)


def _run_handler(app, handle, message):
    with app.app_context():
        return handle(message)


def render(reply, message):
    if reply is None:
        return SUCCESS
    if isinstance(reply, str):
        reply = TextReply(content=reply, message=message)
    if isinstance(reply, BaseReply):
        return reply.render()
    raise TypeError(f"handler returned {type(reply).__name__}")


def late_text(reply):
    """What a late reply says as a customer-service text message."""
    if reply is None:
        return None
    if isinstance(reply, str):
        return reply
    if isinstance(reply, TextReply):
        return reply.content
    articles = getattr(reply, "articles", None) or []
    return "\n".join(f"{a.get('title', '')} {a.get('url', '')}".strip() for a in articles) or None


def _reply_late(app, message, future):
    """The handler finished after we answered ``success``: send its answer now."""
    try:
        text = late_text(future.result())
    except Exception:
        log.exception("late handler failed")
        return
    if not text:
        return
    with app.app_context():
        from wechat_hall.extensions import db

        from .messages import queue_text
        queue_text(message.source, text, dedup_key=f"late:{dedup_key(message)}")
        db.session.commit()


__all__ = [
    "SUCCESS",
    "Refused",
    "dedup_key",
    "open_push",
    "render",
    "respond",
    "verify_url",
]
