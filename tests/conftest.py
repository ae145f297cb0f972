"""Fixtures: an app per test on its own SQLite file, a client, and a real SMTP server."""
import pytest

from mobilizon_lite import create_app

from .helpers import MailCatcher

BASE_URL = "http://events.test"


@pytest.fixture
def app_config(tmp_path):
    return {
        "TESTING": True,
        "SECRET_KEY": "test secret key",
        "BASE_URL": BASE_URL,
        "DATABASE": str(tmp_path / "test.sqlite3"),
    }


@pytest.fixture
def app(tmp_path, app_config):
    return create_app(app_config, instance_path=str(tmp_path / "instance"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def smtp():
    catcher = MailCatcher()
    catcher.controller.start()
    yield catcher
    catcher.controller.stop()


@pytest.fixture
def mail_app(tmp_path, app_config, smtp):
    """An app whose email goes to the loopback SMTP server."""
    config = dict(app_config, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    return create_app(config, instance_path=str(tmp_path / "instance"))
