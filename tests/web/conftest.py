"""Fixtures of the page tests: ann, who organises the events, logged in."""
import pytest

from ..helpers import log_in, make_account


@pytest.fixture
def ann(app):
    """ann's client, logged in: she organises the events."""
    make_account(app)
    client = app.test_client()
    log_in(client)
    return client
