"""Fixtures of the page tests: ann, who organises the events, logged in; staff of every role."""
import pytest

from mobilizon_lite.models import Account

from ..helpers import log_in, make_account


@pytest.fixture
def ann(app):
    """ann's client, logged in: she organises the events."""
    make_account(app)
    client = app.test_client()
    log_in(client)
    return client


@pytest.fixture
def staff(app):
    """Clients logged in as a user (ann), a moderator and an administrator."""
    make_account(app, "ann@example.org", "ann")
    make_account(app, "mod@example.org", "modo")
    make_account(app, "root@example.org", "boss", admin=True)
    with app.app_context():
        Account.update(role="moderator").where(Account.email == "mod@example.org").execute()
    clients = {}
    for name, email in (("user", "ann@example.org"), ("moderator", "mod@example.org"),
                        ("admin", "root@example.org")):
        clients[name] = app.test_client()
        log_in(clients[name], email)
    return clients
