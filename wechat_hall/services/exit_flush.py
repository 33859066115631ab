"""Batches a process holds in memory for a moment (follower activity, cached replies),
written when the process exits normally (gunicorn's graceful stop, the end of a job
worker or a test run). A batch registers itself; it must have ``pid`` (the process that
made it: a forked child's copy is not its to write) and ``flush()``."""
import atexit
import os
import weakref

_live = weakref.WeakSet()


def register(batch):
    _live.add(batch)
    return batch


@atexit.register
def _flush_all():
    for batch in list(_live):
        if batch.pid == os.getpid():
            batch.flush()
