"""Redis questions answered together: one round trip per WeChat push (issue 15).

A push used to ask Redis four separate things (claim the dedup key, the follower's
"seen this minute" marker, the "no open conversation" marker, cache the reply), each a
network round trip and a few hundred microseconds of redis-py. Now whoever needs an
answer for a push declares a :class:`Probe` — its commands and what to do with their
replies — and ``inbound.respond`` sends them in the same round trip as the dedup claim.

A new check joins by adding a probe (or, for a check that must refuse the push before
the claim, a command in front of it: see ``inbound.claim``).
"""
import logging
import os
import threading
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import exit_flush

log = logging.getLogger(__name__)


class Probe:
    """``commands``: tuples for ``execute_command``; ``take(replies)`` gets their replies
    in order (an exception instance in place of a reply that failed) and returns what the
    handler should know, stored on the message as ``message.prefetched[name]``."""

    __slots__ = ("commands", "name", "take")

    def __init__(self, name, commands, take):
        self.name, self.commands, self.take = name, list(commands), take


def execute(redis, commands, probes=()):
    """Send ``commands`` then every probe's commands in one round trip (no MULTI).

    Returns ``(replies to commands, replies per probe)``; hand the second to
    :func:`answers` once it is known that the push is handled (not a retry). Redis being
    down is not an error here: every reply is then the exception, and each take decides
    what that means (usually: ask the database instead). Replies are Redis's own, except
    that a ``SET``'s ``OK`` is ``True`` (it set).
    """
    every = list(commands)
    for probe in probes:
        every.extend(probe.commands)
    replies = round_trip(redis, every)
    pos, per_probe = len(commands), []
    for probe in probes:
        per_probe.append(replies[pos:pos + len(probe.commands)])
        pos += len(probe.commands)
    return replies[:len(commands)], per_probe


def round_trip(redis, commands):
    """The commands written at once on one pooled connection and their replies read in
    order: what a pipeline does, without its per-command bookkeeping and reply callbacks
    (a third of its client CPU, issue 15). A connection that fails before a reply was
    read is reconnected and the batch sent once more, as redis-py retries; after that,
    every reply not read is the exception. fakeredis (the embedded default) gets an
    ordinary pipeline."""
    pool = getattr(redis, "connection_pool", None)
    if pool is None or _is_fake(redis):
        return _pipelined(redis, commands)
    replies = []
    try:
        conn = pool.get_connection()
    except RedisError as exc:
        return [exc] * len(commands)
    try:
        packed = conn.pack_commands(commands)
        for attempt in (1, 2):
            try:
                conn.send_packed_command(packed)
                break
            except (RedisConnectionError, RedisTimeoutError) as exc:
                conn.disconnect()
                if attempt == 2:
                    return [exc] * len(commands)
        for command in commands:
            try:
                reply = conn.read_response()
            except ResponseError as exc:  # this command's error; the stream goes on
                reply = exc
            # A SET's status OK is True, as the pipeline's callback made it; a value
            # that happens to read "OK" stays a value.
            replies.append(True if reply == b"OK" and command[0] == "SET" else reply)
    except RedisError as exc:  # lost mid-way: what was not read is the failure
        conn.disconnect()
        replies.extend([exc] * (len(commands) - len(replies)))
    finally:
        pool.release(conn)
    return replies


def _pipelined(redis, commands):
    pipe = redis.pipeline(transaction=False)
    for command in commands:
        pipe.execute_command(*command)
    try:
        return pipe.execute(raise_on_error=False)
    except RedisError as exc:
        return [exc] * len(commands)


def _is_fake(redis):
    return type(redis).__module__.startswith("fakeredis")


def answers(probes, per_probe):
    """``{probe name: what its take made of its replies}``."""
    return {probe.name: probe.take(replies) for probe, replies in zip(probes, per_probe)}


def failed(reply):
    return isinstance(reply, Exception)


class Writer:
    """Redis writes that may land a few milliseconds late, sent together by one thread of
    the process: whatever was queued while the last write ran goes in the next one.

    A push's reply is cached for WeChat's retries this way (``inbound.respond``): WeChat
    retries a push only when it got no answer for 5 s, and a retry that comes while the
    reply is still queued finds the dedup claim and waits for the reply, so the cache can
    follow the answer instead of delaying it by a round trip. A write that fails is
    logged and dropped, as the synchronous ``SET`` it replaces was: the claim then expires
    and the handler is never run twice. The thread ends when idle for a second (the next
    write starts another), and the queue is written at normal exit. ``flush`` writes at
    once (tests, shutdown).
    """

    GATHER = 0.002  # seconds to let writes gather after the first one wakes the thread
    IDLE = 1.0

    def __init__(self, redis, name):
        self.redis, self.name = redis, name
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.writing = threading.Lock()
        self.wake = threading.Event()
        self.pending = []
        self.thread = None
        self.failed = 0  # writes Redis did not take, since this writer began

    def put(self, *command):
        with self.lock:
            self.pending.append(command)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True, name=self.name)
                self.thread.start()
        self.wake.set()

    @classmethod
    def of(cls, app, name):
        """The app's writer called ``name`` in this process (a forked child starts its
        own), on the app's Redis."""
        key = "redis_writer:" + name
        writer = app.extensions.get(key)
        if writer is None or writer.pid != os.getpid():
            writer = app.extensions[key] = exit_flush.register(cls(app.extensions["redis"], name))
        return writer

    def _run(self):
        while True:
            woken = self.wake.wait(self.IDLE)
            self.wake.clear()
            if woken:
                time.sleep(self.GATHER)
            self.flush()
            with self.lock:
                if not woken and not self.pending:
                    self.thread = None
                    return

    def flush(self):
        """Send what is queued in one round trip; returns how many commands went."""
        with self.writing:
            with self.lock:
                batch, self.pending = self.pending, []
            if not batch:
                return 0
            replies = round_trip(self.redis, batch)
            errors = [r for r in replies if failed(r)]
            if errors:
                self.failed += len(errors)
                log.error(
                    "%s: %d of %d writes not done: %s", self.name, len(errors), len(batch),
                    errors[0])
            return len(batch)


def flush_writers(app):
    """Send every queued write of the app's writers now (tests, shutdown hooks)."""
    return sum(writer.flush() for key, writer in list(app.extensions.items())
               if key.startswith("redis_writer:") and writer.pid == os.getpid())
