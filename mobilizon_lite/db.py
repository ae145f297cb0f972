"""The database handle: one SQLite database per app, reached through a context-bound proxy."""
import json
from datetime import datetime, timezone

from flask import current_app, has_app_context
from peewee import DatabaseProxy, DateTimeField, Model, SqliteDatabase, TextField

EXTENSION_KEY = "mobilizon_lite.db"

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
}

# SQLite's primary result codes that blame the storage rather than the statement: still locked
# after busy_timeout, read-only, I/O error, full, cannot open. They pass once the disk is fixed.
STORAGE_FAULT_CODES = {5, 8, 10, 13, 14}
# Seconds a 503 for a storage fault asks browsers and other servers to wait before trying again.
STORAGE_RETRY_AFTER = 300


class AppDatabase(DatabaseProxy):
    """A proxy that always resolves to the database of the current Flask app.

    Binding models to one global database would tie every app in the interpreter to the
    last one configured; looking it up on current_app lets several apps coexist.
    """

    @property
    def obj(self):
        if not has_app_context():
            return None
        return current_app.extensions.get(EXTENSION_KEY)

    @obj.setter
    def obj(self, value):
        if value is not None:
            raise AttributeError("AppDatabase is bound through init_app(), not initialize()")


database = AppDatabase()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


def utcnow():
    """Current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


class UTCDateTimeField(DateTimeField):
    """Aware datetimes, stored as UTC text that sorts chronologically."""

    def db_value(self, value):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC field")
        return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, datetime):
            return value.replace(tzinfo=timezone.utc)
        return value


class JSONField(TextField):
    """Lists and dicts stored as JSON text."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def python_value(self, value):
        return None if value is None else json.loads(value)


class ImmediateSqliteDatabase(SqliteDatabase):
    """SQLite whose transactions take the write lock when they begin.

    A deferred transaction that reads then writes fails at once ("database is locked") when
    another thread wrote in between; an immediate one waits its turn under busy_timeout.
    """

    def begin(self, lock_type=None):
        return super().begin(lock_type or "IMMEDIATE")


def storage_fault(error):
    """The storage failure (full, read-only, failing disk) behind a database error, else None.

    The chain is searched: SQLite rolls back by itself on a full disk, so the rollback that
    follows fails too ("no transaction is active") and hides the cause.
    """
    while error is not None:
        code = getattr(getattr(error, "orig", None) or error, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF) in STORAGE_FAULT_CODES:
            return error
        error = error.__cause__ or error.__context__
    return None


def delete_in_batches(model, condition, batch=500):
    """Delete model's rows matching condition, a batch per transaction so writers never wait long;
    returns how many went."""
    total = 0
    while True:
        with database.atomic():
            ids = model.select(model.id).where(condition).limit(batch)
            deleted = model.delete().where(model.id.in_(ids)).execute()
        total += deleted
        if deleted < batch:
            return total


def open_database(path):
    """Open the SQLite file at path with the pragmas the app relies on."""
    return ImmediateSqliteDatabase(path, pragmas=PRAGMAS, check_same_thread=False)


def init_app(app):
    """Bind a database to app and close each thread's connection when its context ends."""
    app.extensions[EXTENSION_KEY] = open_database(app.config["DATABASE"])

    @app.teardown_appcontext
    def close_connection(_exc):
        db = app.extensions[EXTENSION_KEY]
        if not db.is_closed():
            db.close()
