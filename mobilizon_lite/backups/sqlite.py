"""The SQLite side of backups: a consistent copy while the server writes, and the checks of a copy.

Each database backend provides the same names (FILE, snapshot, check, summary, install) for archive.py
and restore.py.
"""
import shutil
import sqlite3
from pathlib import Path

from . import BackupError, watching

FILE = "database.sqlite3"
KIND = "SQLite"
RESTORE_HINT = ("restore it with no DATABASE_URL set, then copy it to PostgreSQL with "
                "run.py move-to-postgres DATABASE_URL")
# Tables whose rows a backup's summary counts.
MAIN_TABLES = ("account", "actor", "event", "participation", "comment", "member", "post", "activity")


def _open(path, read_only=False):
    mode = "?mode=ro" if read_only else ""
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}{mode}", uri=True, timeout=30)
    connection.execute("PRAGMA busy_timeout = 30000")
    return connection


def snapshot(config, target, progress=None):
    """Copy the configured database to target as it is at one moment, while others keep writing.

    VACUUM INTO reads in one transaction (in WAL mode writers go on meanwhile) and writes a compact
    copy; the online backup API would start again at each write made while it copies. progress(done,
    total) is called with the bytes written so far and an estimate of the copy's size.
    """
    source, target = config["DATABASE"], Path(target)
    if not Path(source).exists():
        raise BackupError(f"there is no database at {source}")
    connection = _open(source)
    try:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        free = connection.execute("PRAGMA freelist_count").fetchone()[0]
        with watching(target, (pages - free) * page_size, progress):
            connection.execute("VACUUM INTO ?", (str(target),))
    except sqlite3.DatabaseError as error:
        raise BackupError(f"could not copy the database {source}: {error}") from error
    finally:
        connection.close()


def check(path):
    """The schema version of the database copy at path; BackupError when it is corrupt or not ours."""
    try:
        connection = _open(path, read_only=True)
        try:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check(5)")]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            ours = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'account'").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the database in the backup cannot be read ({error}): it is damaged") from error
    if problems != ["ok"]:
        raise BackupError("the database in the backup is damaged (integrity check: " + "; ".join(problems) + ")")
    if not version or not ours:
        raise BackupError("the database in the backup is not a mobilizon_lite database")
    return version


def summary(path):
    """(number of tables, {main table: rows}) of the database copy at path."""
    connection = _open(path, read_only=True)
    try:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608 - our names
                for table in MAIN_TABLES if table in names}
    finally:
        connection.close()
    return len(names), rows


def install(staged, config, aside):
    """Put the database file staged in the configured one's place; returns (undo, where the replaced one
    went, or None when there was none). The replaced file (with its -wal and -shm) goes to the folder aside."""
    database = Path(config["DATABASE"])
    replaced = []
    for path in (database.with_name(database.name + suffix) for suffix in ("", "-wal", "-shm")):
        if path.exists():
            aside.mkdir(parents=True, exist_ok=True)
            replaced.append((shutil.move(path, aside / path.name), path))

    def undo():
        database.unlink(missing_ok=True)
        for now_at, was_at in replaced:
            shutil.move(now_at, was_at)

    try:
        shutil.move(staged, database)
    except OSError:
        undo()
        raise
    return undo, (str(aside) if replaced else None)
