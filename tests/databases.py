"""Throwaway PostgreSQL databases for the tests, when MOBILIZON_LITE_TEST_DATABASE_URL names a server
(tests/postgres.sh starts one): every app, instance folder and run.py instance of a test gets its own
database, copied from a template migrated once per session. Unset, the tests use SQLite files.

Only the standard library is imported up front (the benchmarks use the harness that uses this); the
driver and the app are imported when a first database is asked for.
"""
import atexit
import itertools
import os
import queue
import sqlite3
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

URL_ENV = "MOBILIZON_LITE_TEST_DATABASE_URL"
# Copies made ahead, while tests run: a copy takes a quarter of a second, as long as a small test.
READY_COPIES = 2
COPY_TIMEOUT = 120
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
        self.ready = queue.Queue(maxsize=READY_COPIES)
        self.stopping = threading.Event()
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

    def copy(self, template):
        """The name of a new database copied from the database template (nobody may be connected to it)."""
        with self.lock:
            name = f"{self.prefix}_{next(self.numbers)}"
            self.made.append(name)
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def _make_copies(self):
        while not self.stopping.is_set():
            self.ready.put(self.copy(self.template))

    def create(self, empty=False):
        """The URL of a new database: at the latest schema (one made ahead), or empty (no tables)."""
        if empty:
            return self.url_of(self.copy("template0"))
        with self.lock:
            if self.template is None:
                self.template = self._make_template()
                threading.Thread(target=self._make_copies, daemon=True).start()
        return self.url_of(self.ready.get(timeout=COPY_TIMEOUT))  # a copier that failed fails the test

    def for_instance(self, path):
        """The URL of the database of the instance folder at path (the same one each time it is asked)."""
        key = str(Path(path).resolve())
        if key not in self.by_instance:
            self.by_instance[key] = self.create()
        return self.by_instance[key]

    def replace(self, name, template):
        """Make the database name a copy of template again, closing whatever is connected to it."""
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    def configure(self, url, setting, value):
        """Set a setting of the database at url for its new connections (ALTER DATABASE … SET)."""
        self._admin(f'ALTER DATABASE "{_name(url)}" SET {setting} = {value}')

    def drop(self, url):
        """Drop the database at url, closing whatever is still connected to it."""
        name = _name(url)
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        with self.lock:
            if name in self.made:
                self.made.remove(name)

    def drop_all(self):
        """Drop every database of the session, the template last (the copy being made ahead, if any, is
        left in the throwaway cluster)."""
        self.stopping.set()
        with self.lock:
            names, self.made = self.made, []
        for name in [*names, *([self.template] if self.template else [])]:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.template = None


_session = None


def session():
    """This session's Databases, or None when the tests use SQLite."""
    global _session
    if _session is None and server_url():
        _session = Databases(server_url())
    return _session


def instance_settings(path):
    """The settings naming the database that run.py uses for the instance folder at path: none on SQLite
    (the folder holds it), for an app of the test made on the same folder."""
    databases = session()
    return {} if databases is None else {"DATABASE_URL": databases.for_instance(path)}


def instance_schema_version(path):
    """The schema version of the database of the instance folder at path; 0 when none was made."""
    databases = session()
    if databases is None:
        file = Path(path) / "mobilizon_lite.sqlite3"
        return query(file, "PRAGMA user_version")[0]["user_version"] if file.exists() else 0
    url = databases.for_instance(path)
    if not query(url, "SELECT to_regclass('schema_version') IS NOT NULL AS made")[0]["made"]:
        return 0
    return query(url, "SELECT version FROM schema_version")[0]["version"]


def instance_env(args, env):
    """env, given the database of the instance folder that run.py's args name (--instance-path), when the
    tests use PostgreSQL and env names none."""
    if INSTANCE_ENV in env or "--instance-path" not in args:
        return env
    settings = instance_settings(args[list(args).index("--instance-path") + 1])
    return {**env, INSTANCE_ENV: settings["DATABASE_URL"]} if settings else env


def query(target, sql, params=()):
    """The rows (dicts) that sql with params finds in target: a PostgreSQL URL or an SQLite file. The
    placeholders are written `?`, as SQLite's."""
    if str(target).startswith("postgresql:"):
        import psycopg2
        import psycopg2.extras

        connection = psycopg2.connect(target)
        try:
            with connection.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
                cursor.execute(sql.replace("%", "%%").replace("?", "%s"), params)
                return [dict(row) for row in cursor.fetchall()]
        finally:
            connection.close()
    connection = sqlite3.connect(target)
    try:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql, params).fetchall()]
    finally:
        connection.close()


def _name(url):
    return urlsplit(url).path.lstrip("/")


def snapshot(app):
    """A copy of app's whole database as it is now, for restore()."""
    from mobilizon_lite.db import EXTENSION_KEY

    if not app.config["DATABASE_URL"]:
        copy, source = sqlite3.connect(":memory:"), sqlite3.connect(app.config["DATABASE"])
        source.backup(copy)
        source.close()
        return copy
    app.extensions[EXTENSION_KEY].close_all()  # a database is copied only while nobody is connected to it
    return session().copy(_name(app.config["DATABASE_URL"]))


def restore(app, copy):
    """Put back app's database as snapshot() copied it."""
    from mobilizon_lite.db import EXTENSION_KEY

    if not app.config["DATABASE_URL"]:
        target = sqlite3.connect(app.config["DATABASE"])
        copy.backup(target)
        target.close()
        return
    app.extensions[EXTENSION_KEY].close_all()
    session().replace(_name(app.config["DATABASE_URL"]), copy)
