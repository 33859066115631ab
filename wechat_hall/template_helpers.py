"""Filters available in every template."""
from . import clock, masking


def shanghai(value, fmt="%Y-%m-%d %H:%M"):
    """A stored (naive UTC) time as people in the hall read it."""
    return clock.format_local(value, fmt)


def yuan(value):
    """A price as the hall writes it: 10.00 (two decimals, thousands separated)."""
    from decimal import Decimal, InvalidOperation
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return value


def init_app(app):
    app.jinja_env.filters["mask_phone"] = masking.mask_phone
    app.jinja_env.filters["mask_id"] = masking.mask_id_number
    app.jinja_env.filters["mask_name"] = masking.mask_name
    app.jinja_env.filters["shanghai"] = shanghai
    app.jinja_env.filters["yuan"] = yuan
