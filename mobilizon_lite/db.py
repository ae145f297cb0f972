"""The database handle: one database per app (an SQLite file, or PostgreSQL named by DATABASE_URL), reached
through a context-bound proxy; its transactions, and the callbacks that run once they commit (on_commit)."""
import json
import logging
import threading
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from peewee import DatabaseProxy, DateTimeField, InternalError, Model, OperationalError, PostgresqlDatabase, TextField
from playhouse.db_url import parse as parse_url
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from . import geo

log = logging.getLogger(__name__)

EXTENSION_KEY = "mobilizon_lite.db"

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    # Each thread keeps a connection, each with its own page cache (2 MB by default, filled by a large
    # database): the system's file cache holds the same pages once for all of them.
    "cache_size": -512,
}

# SQLite's primary result codes that blame the storage rather than the statement: still locked
# after busy_timeout, read-only, I/O error, full, cannot open. They pass once the disk is fixed.
STORAGE_FAULT_CODES = {5, 8, 10, 13, 14}
# PostgreSQL's SQLSTATE classes and codes of the same kind: connection lost, insufficient resources (disk
# full, out of memory, too many connections), system error (I/O), read-only transaction (a standby),
# server shutting down or starting.
PG_STORAGE_FAULT_CLASSES = ("08", "53", "58")
PG_STORAGE_FAULT_CODES = {"25006", "57P01", "57P02", "57P03"}
# The errors of peewee's a storage fault comes as (PostgreSQL's read-only transaction is an InternalError).
STORAGE_ERRORS = (OperationalError, InternalError)
POSTGRES_SCHEMES = ("postgres", "postgresql")
# Any number, the same in every process: the key of the lock that atomic("IMMEDIATE") blocks take in turn.
SERIAL_LOCK = 0x6D6C6900
# Seconds a pooled PostgreSQL connection may sit unused before it is closed rather than reused.
PG_STALE_SECONDS = 300
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

    def atomic(self, *args, **kwargs):
        # The app's database opens the block, so that its on_commit hooks follow it.
        if self.obj is None:
            raise AttributeError("AppDatabase used outside an app context")
        return self.obj.atomic(*args, **kwargs)


database = AppDatabase()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


def utcnow():
    """Current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTimeField(DateTimeField):
    """Aware datetimes, stored as UTC text that sorts chronologically."""

    def db_value(self, value):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC field")
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC)
        return value


class JSONField(TextField):
    """Lists and dicts stored as JSON text."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def python_value(self, value):
        return None if value is None else json.loads(value)


class _HookedAtomic:
    """An atomic() block holding the on_commit callbacks registered inside it; `with db.atomic() as
    block` gives it, with peewee's commit() and rollback() for the work done so far."""

    def __init__(self, db, block):
        self.db, self.block = db, block
        self.serial = False

    def __enter__(self):
        self.helper = self.block.__enter__()
        if self.serial:
            self.db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (SERIAL_LOCK,))
        self.stack = self.db._hooks()
        self.stack.append([])
        self.depth = len(self.stack)
        return self

    def __exit__(self, exc_type, exc, traceback):
        callbacks = self.stack.pop()
        self.block.__exit__(exc_type, exc, traceback)  # a commit that fails raises: they go
        if exc_type is None:
            self._committed(callbacks)

    def commit(self, begin=True):
        self.helper.commit(begin)
        callbacks, self.stack[self.depth - 1] = self.stack[self.depth - 1], []
        self._committed(callbacks)

    def rollback(self, begin=True):
        self.helper.rollback(begin)
        self.stack[self.depth - 1] = []

    def _committed(self, callbacks):
        if self.depth > 1:  # a savepoint released: they wait for the block around it
            self.stack[self.depth - 2].extend(callbacks)
            return
        _run(callbacks)


class _OnCommitHooks:
    """on_commit callbacks for a database class, held by its atomic() blocks (one code for both backends)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One stack of callback lists per thread (an atomic() block each), as connections are.
        self._local_hooks = threading.local()

    def atomic(self, *args, **kwargs):
        return _HookedAtomic(self, super().atomic(*args, **kwargs))

    def _hooks(self):
        if not hasattr(self._local_hooks, "stack"):
            self._local_hooks.stack = []
        return self._local_hooks.stack

    def on_commit(self, callback):
        """Call callback() once this thread's work is committed: at once outside atomic(), else
        after the outermost atomic() block commits; never when it rolls back. A nested block
        (a savepoint) that rolls back drops the callbacks registered inside it, and only those."""
        stack = self._hooks()
        if stack:
            stack[-1].append(callback)
        else:
            _run([callback])


class ImmediateSqliteDatabase(_OnCommitHooks, PooledSqliteDatabase):
    """SQLite whose transactions take the write lock when they begin, with on_commit hooks, and whose
    connections are kept open between requests.

    A deferred transaction that reads then writes fails at once ("database is locked") when
    another thread wrote in between; an immediate one waits its turn under busy_timeout. Opening a
    connection and setting its pragmas costs more than serving a kept page: closing one at the end of
    a request hands it back to the pool for the next.
    """

    def begin(self, lock_type=None):
        return super().begin(lock_type or "IMMEDIATE")


class HookedPostgresDatabase(_OnCommitHooks, PooledPostgresqlDatabase):
    """PostgreSQL with the same on_commit hooks and atomic() blocks, its connections kept open between
    requests. Writers do not wait for each other as on SQLite: a read-then-write that must not race
    locks its rows (SELECT … FOR UPDATE), or is an atomic("IMMEDIATE") block."""

    def atomic(self, lock_type=None, **kwargs):
        """A block; atomic("IMMEDIATE") (SQLite's word, which its callers use for checks such as "not the
        last administrator") waits until no other such block runs, in any process, then begins."""
        block = super().atomic(**kwargs)
        block.serial = lock_type == "IMMEDIATE"
        return block


def on_postgres(db=None):
    """Whether db (by default the current app's database) is PostgreSQL."""
    db = database if db is None else db
    return isinstance(db.obj if isinstance(db, DatabaseProxy) else db, PostgresqlDatabase)


def _run(callbacks):
    """Run each callback of committed work: one that fails is logged, and neither stops the others
    nor fails the request whose data is already saved."""
    for callback in callbacks:
        try:
            callback()
        except Exception:  # noqa: BLE001
            log.exception("on_commit callback %r failed", callback)


def storage_fault(error):
    """The storage failure (full, read-only, failing disk) behind a database error, else None.

    The chain is searched: SQLite rolls back by itself on a full disk, so the rollback that
    follows fails too ("no transaction is active") and hides the cause.
    """
    while error is not None:
        orig = getattr(error, "orig", None) or error
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF) in STORAGE_FAULT_CODES:
            return error
        if _pg_storage_fault(orig):
            return error
        error = error.__cause__ or error.__context__
    return None


def _pg_storage_fault(orig):
    code = getattr(orig, "pgcode", False)  # psycopg2's errors have it
    if code is None:  # the driver's own failure: the server cannot be reached, or went away
        return type(orig).__name__ == "OperationalError"
    return bool(code) and (code in PG_STORAGE_FAULT_CODES or code[:2] in PG_STORAGE_FAULT_CLASSES)


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


def is_postgres_url(url):
    """Whether the DATABASE_URL url names a PostgreSQL database."""
    return urlsplit(url).scheme in POSTGRES_SCHEMES


def open_database(target):
    """Open target: a PostgreSQL URL (postgresql://user:pass@host/db, postgresql:///db?host=/socket/dir),
    else the path of an SQLite file, with the settings the app relies on."""
    if is_postgres_url(target):
        params = parse_url(target, unquote_password=True, unquote_user=True)
        # Times are stored as UTC without a zone: the session's zone must not shift what now() gives.
        params.setdefault("options", "-c timezone=UTC")
        # No cap on connections (as below); idle ones are closed after a while, the server's are few.
        return HookedPostgresDatabase(params.pop("database"), max_connections=None,
                                      stale_timeout=PG_STALE_SECONDS, **params)
    # No cap on connections: the server's threads and the scheduler's jobs bound them.
    db = ImmediateSqliteDatabase(target, pragmas=PRAGMAS, check_same_thread=False, max_connections=None)
    # Search near a place keeps the events of a box within the radius, in SQL (the box read by an index).
    db.register_function(geo.distance_km, "distance_km", 4, deterministic=True)
    return db


def init_app(app):
    """Bind a database to app and close each thread's connection when its context ends."""
    app.extensions[EXTENSION_KEY] = open_database(app.config["DATABASE_URL"] or app.config["DATABASE"])

    @app.teardown_appcontext
    def close_connection(_exc):
        db = app.extensions[EXTENSION_KEY]
        if not db.is_closed():
            db.close()
