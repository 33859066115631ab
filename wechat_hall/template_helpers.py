"""Filters available in every template."""
from . import clock, masking


def shanghai(value, fmt="%Y-%m-%d %H:%M"):
    """A stored (naive UTC) time as people in the hall read it."""
    return clock.format_local(value, fmt)


def init_app(app):
    app.jinja_env.filters["mask_phone"] = masking.mask_phone
    app.jinja_env.filters["mask_id"] = masking.mask_id_number
    app.jinja_env.filters["mask_name"] = masking.mask_name
    app.jinja_env.filters["shanghai"] = shanghai
