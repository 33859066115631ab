"""Fixtures of the customer-service tests (helpers: cs_helpers.py)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "staff"))

from cs_helpers import seed_cs  # noqa: E402


@pytest.fixture
def cs(app):
    """The demo customer-service data, open all day."""
    seed_cs(app)
    return app
