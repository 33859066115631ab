"""Fixtures for the staff tests (helpers are in staff_helpers.py)."""
import pytest

from tests.staff.staff_helpers import PASSWORDS, StaffBrowser, make_staff


@pytest.fixture
def staff(client):
    return StaffBrowser(client)


@pytest.fixture
def accounts(app):
    """One account per role, with the demo passwords."""
    return {role: make_staff(app, role, role) for role in PASSWORDS}
