"""The SQLite side of backups: a consistent copy while the server writes, and the checks of a copy.

Another database backend provides the same functions (snapshot, check, summary) for archive.py.
"""
import sqlite3
import threading
from pathlib import Path

from . import BackupError, file_size

# Tables whose rows a backup's summary counts.
MAIN_TABLES = ("account", "actor", "event", "participation", "comment", "member", "post", "activity")
PROGRESS_SECONDS = 0.5


def _open(path, read_only=False):
    mode = "?mode=ro" if read_only else ""
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}{mode}", uri=True, timeout=30)
    connection.execute("PRAGMA busy_timeout = 30000")
    return connection


def snapshot(source, target, progress=None):
    """Copy the database at source to target as it is at one moment, while others keep writing.

    VACUUM INTO reads in one transaction (in WAL mode writers go on meanwhile) and writes a compact
    copy; the online backup API would start again at each write made while it copies. progress(done,
    total) is called with the bytes written so far and an estimate of the copy's size.
    """
    target = Path(target)
    if not Path(source).exists():
        raise BackupError(f"there is no database at {source}")
    connection = _open(source)
    try:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        free = connection.execute("PRAGMA freelist_count").fetchone()[0]
        total = (pages - free) * page_size
        done = threading.Event()

        def watch():
            while not done.wait(PROGRESS_SECONDS):
                progress(min(file_size(target), total), total)

        watcher = threading.Thread(target=watch, daemon=True) if progress else None
        if watcher:
            watcher.start()
        try:
            connection.execute("VACUUM INTO ?", (str(target),))
        finally:
            done.set()
            if watcher:
                watcher.join()
        if progress:
            progress(file_size(target), file_size(target))
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
