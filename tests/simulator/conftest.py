"""Fixtures of the simulator's tests; the helpers themselves are in sim_helpers."""
import pytest

from tests.simulator.sim_helpers import FakeApiCaller, Phone, age_user


@pytest.fixture
def age(app):
    """``age(openid, seconds)``: move what the simulator and the app know of a user
    into the past, as if that much time had gone by."""
    return lambda openid, seconds: age_user(app, openid, seconds)


@pytest.fixture
def fake_api(app, client):
    return FakeApiCaller(app, client)


@pytest.fixture
def phone(client):
    return Phone(client)
