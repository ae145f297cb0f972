"""The move-to-postgres command: the instance's SQLite database copied into an empty PostgreSQL database,
with progress, a summary, and the setting to change afterwards."""
import sqlite3
import sys
import time
from pathlib import Path

from .. import create_app, instance_lock, pgtools, postgres_move
from ..db import is_postgres_url
from ..migrations import STEPS

PROGRESS_SECONDS = 0.5


def add_parser(commands, common):
    """The move-to-postgres command, added to run.py's commands."""
    move = commands.add_parser(
        "move-to-postgres", parents=[common], help="copy the instance's SQLite database into an empty PostgreSQL "
                                                   "database (with the server stopped)",
        description="Create the schema in an empty PostgreSQL database, copy every table with its ids, set the "
                    "sequences past them, rebuild the search index and check the rows of every table. The SQLite "
                    "database is left as it was. Refused while the server runs or when the PostgreSQL database "
                    "holds any table. Afterwards, set DATABASE_URL in instance/config.py and start the server.")
    move.add_argument("url", metavar="DATABASE_URL",
                      help="postgresql://USER:PASSWORD@HOST/NAME, or postgresql:///NAME?host=/run/postgresql "
                           "for the local socket")


def _progress():
    """A progress callback: each table's rows as they are copied, a line per table once it is done."""
    last = [0.0]

    def show(table, done, total):
        now = time.monotonic()
        if done >= total:
            print(f"\r{table}: {done} rows" + " " * 20, flush=True)
        elif now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            print(f"\r{table}: {done} / {total} rows", end="", flush=True)
    return show


def _source_version(path):
    with sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True) as connection:
        return connection.execute("PRAGMA user_version").fetchone()[0]


def _move(args, instance_path, default_base_url):
    url = args.url
    source_app = create_app(default_base_url=default_base_url, instance_path=str(instance_path.resolve()))
    if is_postgres_url(source_app.config.get("DATABASE_URL")):
        raise postgres_move.MoveError("the instance uses PostgreSQL already (DATABASE_URL is set): there is no "
                                      "SQLite database to move")
    path = source_app.config["DATABASE"]
    postgres_move.refuse_unless_empty(url)
    version = _source_version(path)
    print(f"Moving {path} (schema version {version}) to the PostgreSQL database {pgtools.name(url)!r}")
    started = time.monotonic()
    try:
        # The schema made by the migrations, as a new instance's; the SQLite one is at the last step too.
        target_app = create_app({"DATABASE_URL": url}, default_base_url=default_base_url,
                                instance_path=str(instance_path.resolve()))
    except Exception:
        with pgtools.connect(url) as connection:
            pgtools.drop_public(connection)
        raise
    print(f"Schema created (version {len(STEPS)}) in {time.monotonic() - started:.1f} s")
    show = _progress()
    with sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True) as source:
        def rebuild():
            with target_app.app_context():
                return postgres_move.rebuild_derived(show)

        moved = postgres_move.move(source, url, rebuild, show)
    seconds = time.monotonic() - started
    print(f"Checked: each of the {len(moved.rows)} tables holds as many rows in PostgreSQL as in SQLite.")
    indexed = ", ".join(f"{count} {table}s" for table, count in moved.indexed.items())
    print(f"Moved {moved.total} rows in {len(moved.rows)} tables in {seconds:.1f} s: the rows copied and counted "
          f"in {moved.copy_seconds:.1f} s ({moved.total / max(moved.copy_seconds, 1e-6):.0f} rows/s), the search "
          f"index rebuilt ({indexed}) in {moved.seconds - moved.copy_seconds:.1f} s.")
    largest = sorted(moved.rows.items(), key=lambda item: -item[1])[:8]
    print("Largest tables: " + ", ".join(f"{table} {count}" for table, count in largest) + ".")
    print(f"The SQLite database {path} is unchanged. To use PostgreSQL, put this line in "
          f"{instance_path / 'config.py'} and start the server:")
    print(f"    DATABASE_URL = {url!r}")
    return 0


def run(args, instance_path, default_base_url):
    """move-to-postgres, with the instance's lock held so that no server starts meanwhile; the exit status."""
    if not is_postgres_url(args.url):
        print(f"error: {args.url!r} is not a PostgreSQL URL (postgresql://USER:PASSWORD@HOST/NAME)", file=sys.stderr)
        return 2
    if not (instance_path / "config.py").exists():
        print(f"error: there is no instance in {instance_path}", file=sys.stderr)
        return 1
    lock = instance_lock.exclusive(instance_path)
    try:
        return _move(args, instance_path, default_base_url)
    except postgres_move.MoveError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    finally:
        instance_lock.release(lock)
