"""Fixtures of the page tests: ann, who organises the events, and an administrator, logged in."""
import pytest

from ..helpers import log_in, make_account


@pytest.fixture
def ann(app):
    """ann's client, logged in: she organises the events."""
    make_account(app)
    client = app.test_client()
    log_in(client)
    return client


@pytest.fixture
def admin(app):
    """An administrator's client (root@example.org, identity @boss), logged in."""
    make_account(app, "root@example.org", "boss", admin=True)
    client = app.test_client()
    log_in(client, "root@example.org")
    return client
