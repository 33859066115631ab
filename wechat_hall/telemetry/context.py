"""The request id of the work in hand: a request, a push, or a job it caused.

A context variable, so it follows threads that copy the context (the WeChat handler
thread does) and is set by the job runner from the outbox row that a request wrote.
"""
import contextvars
import os
import re

_current = contextvars.ContextVar("hall_request_id", default=None)
# What we accept from a proxy (nginx's $request_id is 32 hex digits): nothing else
# reaches a log line.
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_id():
    return os.urandom(8).hex()  # 64 random bits: unique enough to follow one request


def accept(header_value):
    """The proxy's X-Request-Id when it is sane, else a new id."""
    if header_value and _VALID.match(header_value):
        return header_value
    return new_id()


def current():
    return _current.get()


def bind(request_id):
    """Make ``request_id`` current; returns the token for :func:`reset`."""
    return _current.set(request_id)


def reset(token):
    _current.reset(token)
