"""Helpers shared by the models.

Column defaults (``created_at`` …) take "now" from the hall's one clock, so a frozen
``CLOCK_NOW`` stamps rows with the frozen time like every rule that reads them.
"""
from wechat_hall.clock import utcnow  # noqa: F401
