"""A small router for WeChat pushes, keyed by message type, event, click key and text."""
import logging
import re

from wechat_hall.extensions import db

log = logging.getLogger(__name__)

APOLOGY = "系统繁忙，请稍后再试。如需帮助，请点击菜单“公共服务 → 在线客服”。"


class Router:
    """Exact keys first (click key, event, message type); for text, takeovers, then text
    patterns in order, then the fallback."""

    def __init__(self):
        self.clicks = {}
        self.events = {}
        self.types = {}
        self.patterns = []
        self.before = []
        self.takeovers = []
        self.prefetchers = []
        self._fallback = None

    def click(self, key):
        return self._register(self.clicks, key)

    def event(self, name):
        return self._register(self.events, name.lower())

    def message(self, msg_type):
        return self._register(self.types, msg_type)

    def text(self, pattern):
        compiled = re.compile(pattern)

        def decorate(fn):
            self.patterns.append((compiled, fn))
            return fn
        return decorate

    def takeover(self, wants):
        """A text handler that goes before the patterns whenever ``wants(message)`` says
        so (customer service, while the investor talks to a person)."""
        def decorate(fn):
            self.takeovers.append((wants, fn))
            return fn
        return decorate

    def fallback(self, fn):
        self._fallback = fn
        return fn

    def before_each(self, fn):
        """Run for every push before its handler (e.g. to record the user's activity)."""
        self.before.append(fn)
        return fn

    def prefetch(self, fn):
        """``fn(message)`` returns a ``redis_batch.Probe`` (or None): Redis commands asked
        in the push's one round trip, their answer in ``message.prefetched``."""
        self.prefetchers.append(fn)
        return fn

    def probes(self, message):
        """What ``inbound.respond`` sends along with the dedup claim."""
        return [p for p in (fn(message) for fn in self.prefetchers) if p is not None]

    def _register(self, table, key):
        def decorate(fn):
            if key in table:
                raise ValueError(f"{key!r} already has a handler")
            table[key] = fn
            return fn
        return decorate

    def resolve(self, message):
        """The handler for this message, or None (the answer is then ``success``)."""
        if message.type == "event":
            event = (message.event or "").lower()
            if event == "click":
                return self.clicks.get(message.key) or self.events.get("click")
            return self.events.get(event)
        if message.type == "text":
            content = (message.content or "").strip()
            for wants, fn in self.takeovers:
                if wants(message):
                    return fn
            for pattern, fn in self.patterns:
                if pattern.search(content):
                    return fn
            return self.types.get("text") or self._fallback
        return self.types.get(message.type)

    def __call__(self, message):
        """Dispatch in one transaction: the handler's effects commit with its reply. A
        handler that never touched the database (a keyword reply) costs no commit and
        no session: ``registry.has()`` says whether this thread opened one."""
        session = db.session
        try:
            for hook in self.before:
                hook(message)
            fn = self.resolve(message)
            reply = fn(message) if fn else None
            if session.registry.has():
                session.commit()
            return reply
        except Exception:
            if session.registry.has():
                session.rollback()
            log.exception("handler failed for %s from a user", message.type)
            return APOLOGY
        finally:
            if session.registry.has():
                session.remove()
