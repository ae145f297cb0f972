"""Throwaway PostgreSQL databases for the tests, when MOBILIZON_LITE_TEST_DATABASE_URL names a server
(tests/postgres.sh starts one): every app, instance folder and run.py instance of a test gets its own
database, copied from a template migrated once per session. Unset, the tests use SQLite files.

Only the standard library is imported up front (the benchmarks use the harness that uses this); the
driver and the app are imported when a first database is asked for.
"""
import atexit
import itertools
import os
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

URL_ENV = "MOBILIZON_LITE_TEST_DATABASE_URL"
# The variable a run.py process reads its database from (config.py: DATABASE_URL).
INSTANCE_ENV = "MOBILIZON_LITE_DATABASE_URL"


def server_url():
    """The URL of the PostgreSQL server the tests use (any database of it), or "" for SQLite."""
    return os.environ.get(URL_ENV, "")


class Databases:
    """The databases of one test session on the server at url: made from a template, dropped when asked
    and, whatever is left, when the session ends."""

    def __init__(self, url):
        self.url = url
        self.prefix = f"mlite_test_{os.getpid()}"
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()
        self.template = None
        self.by_instance = {}
        self.made = []
        atexit.register(self.drop_all)

    def url_of(self, name):
        """The URL of the database name on the server."""
        return urlunsplit(urlsplit(self.url)._replace(path="/" + name))

    def _admin(self, statement):
        import psycopg2

        connection = psycopg2.connect(self.url)
        try:
            connection.autocommit = True  # CREATE and DROP DATABASE run outside transactions
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def _make_template(self):
        from flask import Flask

        from mobilizon_lite import db, migrations

        name = f"{self.prefix}_template"
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{name}"')
        app = Flask(__name__, instance_path=tempfile.gettempdir())
        app.extensions[db.EXTENSION_KEY] = database = db.open_database(self.url_of(name))
        with app.app_context():
            # Search folds accents with it (a superuser's work, done once here for every copy).
            database.execute_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
            migrations.migrate()
        database.close_all()  # a template is copied only while nobody is connected to it
        return name

    def create(self, empty=False):
        """The URL of a new database: at the latest schema, or empty (no tables, no extension)."""
        with self.lock:
            if not empty and self.template is None:
                self.template = self._make_template()
            name = f"{self.prefix}_{next(self.numbers)}"
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{"template0" if empty else self.template}"')
            self.made.append(name)
        return self.url_of(name)

    def for_instance(self, path):
        """The URL of the database of the instance folder at path (the same one each time it is asked)."""
        key = str(Path(path).resolve())
        if key not in self.by_instance:
            self.by_instance[key] = self.create()
        return self.by_instance[key]

    def drop(self, url):
        """Drop the database at url, closing whatever is still connected to it."""
        name = urlsplit(url).path.lstrip("/")
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        with self.lock:
            if name in self.made:
                self.made.remove(name)

    def drop_all(self):
        """Drop every database of the session, the template last."""
        for name in [*self.made, *([self.template] if self.template else [])]:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made, self.template = [], None


_session = None


def session():
    """This session's Databases, or None when the tests use SQLite."""
    global _session
    if _session is None and server_url():
        _session = Databases(server_url())
    return _session


def instance_env(args, env):
    """env, given the database of the instance folder that run.py's args name (--instance-path), when the
    tests use PostgreSQL and env names none."""
    databases = session()
    if databases is None or INSTANCE_ENV in env or "--instance-path" not in args:
        return env
    path = args[list(args).index("--instance-path") + 1]
    return {**env, INSTANCE_ENV: databases.for_instance(path)}
