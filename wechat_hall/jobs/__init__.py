"""Background jobs (P-7).

Ask for a job with :func:`submit` inside the transaction that needs it; it becomes an
outbox row and is delivered to RQ (or, embedded, to an in-process worker thread) right
after the commit. See ``models/outbox.py`` for why.
"""
from .registry import job, periodic  # noqa: F401
from .queue import submit  # noqa: F401
