"""Every earlier schema step, filled with rows, migrates to the latest with its rows kept and the
schema a new database gets; a database newer than the code is refused."""
import sqlite3

import pytest
from flask import Flask

from mobilizon_lite import create_app
from mobilizon_lite.config import ConfigError
from mobilizon_lite.db import EXTENSION_KEY, open_database
from mobilizon_lite.migrations import STEPS, migrate, schema_version, set_schema_version

# Rows written in each table of an earlier step's database.
ROWS = 3
# Steps that empty a table on purpose (the towns are loaded again on first use).
EMPTIED = {"_place_regions": {"place"}}


def database_at(path, step):
    """The database at path brought to step as migrate() does, outside any app but this bare one."""
    app = Flask(__name__)
    app.extensions[EXTENSION_KEY] = open_database(str(path))
    with app.app_context():
        migrate(up_to=step)
    app.extensions[EXTENSION_KEY].close_all()


def plain_tables(db):
    """Tables of ours holding rows: neither SQLite's nor a full-text index's (filled by triggers)."""
    rows = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'").fetchall()
    virtual = [name for name, sql in rows if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    return [name for name, _sql in rows if not any(name == v or name.startswith(v + "_") for v in virtual)]


def value(table, column, kind, number):
    """A value of the column's kind, different in every row and table (texts are valid JSON, as JSON fields need)."""
    kind = kind.upper()
    if "INT" in kind:
        return number
    if "DATETIME" in kind:
        return f"2026-0{number}-0{number} 1{number}:30:00.000000"
    if "DATE" in kind:
        return f"2026-0{number}-0{number}"
    if kind in ("REAL", "FLOAT", "DOUBLE") or "DECIMAL" in kind or "NUMERIC" in kind:
        return number + 0.5
    if "BLOB" in kind:
        return f"{table}.{column}.{number}".encode()
    return f'"{table}.{column}.{number}"'


def fill(db):
    """ROWS rows in every empty table, each foreign key pointing at a row of its table (parents first)."""
    tables = plain_tables(db)
    keys = {table: {row[3]: row[2] for row in db.execute(f'PRAGMA foreign_key_list("{table}")')} for table in tables}
    # A table made from today's model may point at one a later step makes: those keys stay NULL.
    absent = {parent for parents in keys.values() for parent in parents.values()} - set(tables)
    filled = []
    while len(filled) < len(tables):
        ready = [t for t in tables
                 if t not in filled and all(p in filled or p in (t, *absent) for p in keys[t].values())]
        assert ready, f"foreign keys in a cycle among {set(tables) - set(filled)}"
        for table in ready:
            filled.append(table)
            if db.execute(f'SELECT 1 FROM "{table}"').fetchone():  # a step's own rows (one version row)
                continue
            # An INTEGER PRIMARY KEY is the rowid, given by SQLite; other keys (a setting's name) are ours to give.
            columns = [row for row in db.execute(f'PRAGMA table_info("{table}")')
                       if not (row[5] and row[2].upper() == "INTEGER")]
            for number in range(1, ROWS + 1):
                values = []
                for _cid, name, kind, notnull, _default, _pk in columns:
                    parent = keys[table].get(name)
                    if parent in absent or parent == table:
                        values.append(number if notnull else None)
                    elif parent:
                        values.append(db.execute(f'SELECT min(rowid) FROM "{parent}"').fetchone()[0] + number - 1)
                    else:
                        values.append(value(table, name, kind, number))
                names = ", ".join(f'"{row[1]}"' for row in columns)
                marks = ", ".join("?" for _ in columns)
                db.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)


def contents(db):
    """Every row of every table of ours, column by column."""
    found = {}
    for table in plain_tables(db):
        cursor = db.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
        names = [column[0] for column in cursor.description]
        found[table] = [dict(zip(names, row, strict=True)) for row in cursor]
    return found


def schema(db):
    """Tables with their columns, indexes and triggers, by name."""
    names = db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite%'").fetchall()
    columns = {(table, row[1]) for table in plain_tables(db) for row in db.execute(f'PRAGMA table_info("{table}")')}
    return set(names), columns


@pytest.fixture(scope="module")
def latest_schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("latest") / "latest.sqlite3"
    database_at(path, None)
    with sqlite3.connect(path) as db:
        return schema(db)


@pytest.mark.parametrize("step", range(1, len(STEPS)), ids=lambda step: f"{step}-{STEPS[step - 1].__name__}")
def test_a_database_at_every_earlier_step_migrates_with_its_rows(tmp_path, step, latest_schema):
    path = tmp_path / "old.sqlite3"
    database_at(path, step)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (step,)
        fill(db)
        before = contents(db)
    assert all(rows for rows in before.values())

    database_at(path, None)

    emptied = set().union(*(EMPTIED.get(later.__name__, set()) for later in STEPS[step:]))
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (len(STEPS),)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        after = contents(db)
        assert schema(db) == latest_schema
    for table, rows in before.items():
        if table in emptied:
            assert after[table] == []
            continue
        # Columns added since keep their defaults or what a step filled in; the rows' own stay as they were.
        kept = [{name: row[name] for name in rows[0]} for row in after[table]]
        assert kept == rows, table


def test_a_database_newer_than_the_code_is_refused(tmp_path, app_config):
    config = dict(app_config, DATABASE=str(tmp_path / "newer.sqlite3"))
    app = create_app(config, instance_path=str(tmp_path / "i"))
    with app.app_context():
        set_schema_version(len(STEPS) + 1)
    with pytest.raises(ConfigError, match=f"schema version {len(STEPS) + 1}.*knows only up to {len(STEPS)}"):
        create_app(config, instance_path=str(tmp_path / "i"))
    with app.app_context():  # left as it was
        assert schema_version() == len(STEPS) + 1
