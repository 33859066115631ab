"""Filters available in every template."""
from . import masking


def init_app(app):
    app.jinja_env.filters["mask_phone"] = masking.mask_phone
    app.jinja_env.filters["mask_id"] = masking.mask_id_number
    app.jinja_env.filters["mask_name"] = masking.mask_name
