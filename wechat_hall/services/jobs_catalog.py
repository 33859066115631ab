"""Imports every service module that defines jobs, so a worker knows them all.

Each feature adds its module here when it defines a ``@job`` or ``@periodic``.
"""
from wechat_hall.services import wechat_messages  # noqa: F401
from wechat_hall.services import trade_feed  # noqa: F401
from wechat_hall.services import cs_assignment  # noqa: F401,E402
from wechat_hall.services import certificates  # noqa: F401
from wechat_hall.services import template_messages  # noqa: F401
from wechat_hall.services import slots  # noqa: F401
from wechat_hall.services import appointment_reminders  # noqa: F401
