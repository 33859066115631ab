"""WeChat message and event handlers: thin, they call services and say what to reply.

``router`` is the single table of who answers what; importing the handler modules
fills it.
"""
from .router import Router

router = Router()

from . import events, clicks, queue_code, text  # noqa: E402,F401
