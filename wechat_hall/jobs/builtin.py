"""Jobs of the job system itself."""
from flask import current_app

from .queue import dispatch_pending
from .registry import periodic


@periodic("outbox.dispatch", seconds=5)
def dispatch_outbox():
    """Deliver outbox rows that missed their after-commit delivery (Redis was down)."""
    return dispatch_pending(current_app._get_current_object())
