"""Fixtures: an app per test on its own database (an SQLite file, or a PostgreSQL database when
MOBILIZON_LITE_TEST_DATABASE_URL names a server: see databases.py), a client, a real SMTP server, and the
settings that make identities and passwords cheap in every instance of the session."""
import pytest

from mobilizon_lite import create_app
from mobilizon_lite.activitypub.keys import write_key_pool

from . import databases
from .helpers import BASE_URL, MailCatcher

# Any this many actors made one after the other, in any instance of the session, get different keys
# (the demo data's larger crowd repeats a few, which nothing there compares).
KEY_POOL_SIZE = 16
# Well under a millisecond a hash (much smaller values exceed the memory cap werkzeug gives OpenSSL's scrypt).
CHEAP_PASSWORD_HASH = "scrypt:1024:1:1"


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory):
    """Keys of new identities taken from a pool made once per session, and a cheap password hash."""
    pool = tmp_path_factory.mktemp("key-pool")
    write_key_pool(pool, KEY_POOL_SIZE)
    return {"TEST_KEY_POOL": str(pool), "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH}


@pytest.fixture(scope="session")
def instance_env(test_settings):
    """The same settings as environment variables, for run.py processes."""
    return {f"MOBILIZON_LITE_{name}": value for name, value in test_settings.items()}


@pytest.fixture
def new_database():
    """new_database(empty=False): settings naming a database of its own for another app of the test: {} on
    SQLite (the app's DATABASE file is its own), else a new PostgreSQL database, dropped after the test."""
    session, made = databases.session(), []

    def make(empty=False):
        if session is None:
            return {}
        made.append(session.create(empty=empty))
        return {"DATABASE_URL": made[-1]}

    yield make
    for url in made:
        session.drop(url)


@pytest.fixture
def app_config(tmp_path, test_settings, new_database):
    return {
        "TESTING": True,
        "SECRET_KEY": "test secret key",
        "BASE_URL": BASE_URL,
        "DATABASE": str(tmp_path / "test.sqlite3"),
        **new_database(),
        **test_settings,
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
