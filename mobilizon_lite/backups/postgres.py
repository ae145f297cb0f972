"""The PostgreSQL side of backups: pg_dump's custom format while the server writes, its checks, and
pg_restore into the configured database (the tables it held kept aside in a schema of their own)."""
import os
import re
import shutil
import subprocess
from glob import glob

from .. import pgtools as postgres
from ..migrations import VERSION_TABLE
from . import BackupError, sqlite, watching

FILE = "database.pgdump"
KIND = "PostgreSQL"
RESTORE_HINT = "set DATABASE_URL to a PostgreSQL database to restore it into"
MAIN_TABLES = sqlite.MAIN_TABLES
# pg_dump must not be older than the server; Debian keeps each version's tools out of PATH.
TOOL_FOLDERS = "/usr/lib/postgresql/*/bin"
TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", re.M)


def tool(name):
    """The path of pg_dump or pg_restore: the newest of Debian's, else the one on PATH."""
    found = sorted(glob(f"{TOOL_FOLDERS}/{name}"), key=lambda path: int(re.search(r"/(\d+)/bin/", path)[1]))
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise BackupError(f"{name} was not found: install PostgreSQL's client programs "
                          "(Debian: apt-get install postgresql-client)")
    return path


def _run(arguments, url=None, what="pg_restore"):
    """Run one of PostgreSQL's programs, connecting as url says; BackupError with its message when it fails."""
    env = dict(os.environ, **postgres.libpq_environment(url)) if url else None
    result = subprocess.run(arguments, env=env, capture_output=True, text=True, encoding="utf-8",
                            errors="replace", check=False)
    if result.returncode:
        message = result.stderr
        raise BackupError(f"{what} failed: {message.strip()[-2000:] or f'exit status {result.returncode}'}")
    return result.stdout


def snapshot(config, target, progress=None):
    """Dump the configured database to target (custom format) as it is at one moment, while others keep
    writing; progress(done, total) gets the bytes written and the size of the tables as an estimate."""
    url = config["DATABASE_URL"]
    with postgres.connect(url) as connection:
        total = postgres.table_bytes(connection)
    with watching(target, total, progress):
        # Not compressed: the archive around it is.
        _run([tool("pg_dump"), "--format=custom", "--compress=0", "--no-owner", "--no-privileges", f"--file={target}",
              f"--dbname={postgres.libpq_uri(url)}"],
             url, what="pg_dump")


def _table_rows(path, table, keep=False):
    """How many rows one table's data in the dump at path holds, and (keep) its COPY lines, read as
    pg_restore writes them: a large table is never held whole."""
    count, kept, inside = 0, [], False
    with subprocess.Popen([tool("pg_restore"), "--data-only", f"--table={table}", "--file=-", str(path)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                          errors="replace") as process:
        for line in process.stdout:
            if inside and line.rstrip("\n") == "\\.":
                inside = False
            elif inside:
                count += 1
                if keep:
                    kept.append(line.rstrip("\n"))
            elif line.startswith("COPY "):
                inside = True
        message = process.stderr.read()
    if process.returncode:
        raise BackupError(f"pg_restore failed: {message.strip()[-2000:] or f'exit status {process.returncode}'}")
    return count, kept


def _tables(path):
    listing = _run([tool("pg_restore"), "--list", str(path)])
    return {name for _schema, name in TOC_TABLE.findall(listing)}


def check(path):
    """The schema version of the dump at path; BackupError when it is damaged or not ours.

    Every block of data is read (and decompressed) once, as restoring it would.
    """
    try:
        tables = _tables(path)
        _run([tool("pg_restore"), "--file=/dev/null", str(path)])
    except BackupError as error:
        raise BackupError(f"the database in the backup is damaged: {error}") from error
    if "account" not in tables or VERSION_TABLE not in tables:
        raise BackupError("the database in the backup is not a mobilizon_lite database")
    _count, rows = _table_rows(path, VERSION_TABLE, keep=True)
    try:
        return int(rows[0].split("\t")[-1])
    except (IndexError, ValueError):
        raise BackupError("the database in the backup has no schema version: it is damaged") from None


def summary(path):
    """(number of tables, {main table: rows}) of the dump at path."""
    tables = _tables(path)
    return len(tables), {table: _table_rows(path, table)[0] for table in MAIN_TABLES if table in tables}


def install(staged, config, aside):
    """Restore the dump staged into the configured database; returns (undo, where the tables it held
    went, or None when it held none).

    Refused while anything else is connected to it. Its tables, and everything else of the schema
    "public", go to a schema named as the folder aside rather than being dropped.
    """
    url, aside_name = config["DATABASE_URL"], aside.name
    where = None
    with postgres.connect(url) as connection:
        others = postgres.other_sessions(connection)
        if others:
            raise BackupError(f"{others} other connections are open to the database {postgres.name(url)}: "
                              "stop the servers using it first")
        if postgres.table_names(connection):
            postgres.move_schema_aside(connection, aside_name)
            where = f"the schema {aside_name} of the database {postgres.name(url)}"

    def undo():
        with postgres.connect(url) as connection:
            postgres.drop_public(connection)
            if where:
                postgres.bring_schema_back(connection, aside_name)

    try:
        _run([tool("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
              f"--dbname={postgres.libpq_uri(url)}", str(staged)], url)
    except BackupError:
        undo()
        raise
    return undo, where

