"""Waiting for a condition instead of sleeping for a guess.

``wait_until`` looks at the condition as often as it cheaply can and returns as soon as it
holds (or fails after ``timeout`` seconds, saying what it waited for), so a test takes as
long as the thing it waits for, not a fixed pause long enough for a slow machine.
``gone(app, key)`` is the usual condition for a Redis key that expires by itself.
"""
import time


def wait_until(condition, timeout=5.0, what="the condition"):
    """Return ``condition()``'s first true value; AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.002)  # the next look, not a guess at how long it takes


def gone(app, key):
    """A condition: the Redis key (which has a TTL) has expired."""
    redis = app.extensions["redis"]
    return lambda: not redis.exists(key)
