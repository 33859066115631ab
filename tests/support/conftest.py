"""Fixtures of the customer-service tests (helpers: cs_helpers.py)."""
import pytest

from tests.support.cs_helpers import seed_cs


@pytest.fixture
def cs(app):
    """The demo customer-service data, open all day."""
    seed_cs(app)
    return app
