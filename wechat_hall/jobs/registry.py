"""Names of the functions jobs may run, and the timed jobs of the scheduler."""
JOBS = {}
PERIODIC = {}


def job(name):
    """Register ``fn(payload)`` under a stable name stored in outbox rows."""
    def decorate(fn):
        JOBS[name] = fn
        return fn
    return decorate


def periodic(name, seconds):
    """Register ``fn()`` to be run by the scheduler every ``seconds``, once cluster-wide."""
    def decorate(fn):
        PERIODIC[name] = (seconds, fn)
        return fn
    return decorate
