"""Redis questions answered together: one round trip per WeChat push (issue 15).

A push used to ask Redis four separate things (claim the dedup key, the follower's
"seen this minute" marker, the "no open conversation" marker, cache the reply), each a
network round trip and a few hundred microseconds of redis-py. Now whoever needs an
answer for a push declares a :class:`Probe` — its commands and what to do with their
replies — and ``inbound.respond`` sends them in the same pipeline as the dedup claim.

A new check joins by adding a probe (or, for a check that must refuse the push before
the claim, a command in front of it: see ``inbound.claim``).
"""
from redis.exceptions import RedisError


class Probe:
    """``commands``: tuples for ``execute_command``; ``take(replies)`` gets their replies
    in order (an exception instance in place of a reply that failed) and returns what the
    handler should know, stored on the message as ``message.prefetched[name]``."""

    __slots__ = ("commands", "name", "take")

    def __init__(self, name, commands, take):
        self.name, self.commands, self.take = name, list(commands), take


def execute(redis, commands, probes=()):
    """Send ``commands`` then every probe's commands in one pipeline (no MULTI).

    Returns ``(replies to commands, replies per probe)``; hand the second to
    :func:`answers` once it is known that the push is handled (not a retry). Redis being
    down is not an error here: every reply is then the exception, and each take decides
    what that means (usually: ask the database instead).
    """
    pipe = redis.pipeline(transaction=False)
    for command in commands:
        pipe.execute_command(*command)
    for probe in probes:
        for command in probe.commands:
            pipe.execute_command(*command)
    total = len(commands) + sum(len(p.commands) for p in probes)
    try:
        replies = pipe.execute(raise_on_error=False)
    except RedisError as exc:
        replies = [exc] * total
    pos, per_probe = len(commands), []
    for probe in probes:
        per_probe.append(replies[pos:pos + len(probe.commands)])
        pos += len(probe.commands)
    return replies[:len(commands)], per_probe


def answers(probes, per_probe):
    """``{probe name: what its take made of its replies}``."""
    return {probe.name: probe.take(replies) for probe, replies in zip(probes, per_probe)}


def failed(reply):
    return isinstance(reply, Exception)
