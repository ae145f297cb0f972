"""Copying an SQLite instance's database into an empty PostgreSQL database: every table in foreign-key
order with its ids, the sequences set past them, what is derived rebuilt, and the rows counted on both."""
import time
from dataclasses import dataclass, field
from graphlib import TopologicalSorter

from . import pgtools
from .db import database
from .models import search_index

BATCH = 2000
# The tables an FTS5 index keeps beside its own (https://sqlite.org/fts5.html#fts5_table_creation_and_initialization).
FTS5_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")


class MoveError(RuntimeError):
    """The move cannot be made; the message says why and what to do."""


@dataclass
class Moved:
    """What the move did, for the command's summary."""
    rows: dict = field(default_factory=dict)  # table -> rows copied, in the order they were
    indexed: dict = field(default_factory=dict)  # indexed table -> rows indexed
    copy_seconds: float = 0.0  # the copy of the rows and its checks
    seconds: float = 0.0  # with the rebuild of what is derived

    @property
    def total(self):
        return sum(self.rows.values())


def refuse_unless_empty(url):
    """MoveError unless the PostgreSQL database at url can be reached and holds no table."""
    import psycopg2

    try:
        with pgtools.connect(url) as connection:
            tables = pgtools.table_names(connection)
    except psycopg2.Error as error:
        raise MoveError(f"cannot connect to the PostgreSQL database {pgtools.name(url)!r}: "
                        f"{str(error).strip()}") from error
    if tables:
        shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise MoveError(f"the PostgreSQL database {pgtools.name(url)!r} is not empty ({len(tables)} tables: "
                        f"{shown}): give a new, empty database (createdb -O OWNER NAME)")


def _source_tables(source):
    """(the source's tables, those of them that are derived: SQLite's own, and the full-text indexes
    with their shadow tables, rebuilt on the other side rather than copied)."""
    rows = source.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    virtual = {name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")}
    shadows = {name + suffix for name in virtual for suffix in FTS5_SHADOWS}
    return ({name for name, _sql in rows},
            {name for name, _sql in rows if name.startswith("sqlite_") or name in virtual | shadows})


def _source_columns(source, table):
    return [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]


def _target_columns(cursor):
    """{table: {column: its type}} of the target's tables."""
    cursor.execute("SELECT c.relname, a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a "
                   "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace "
                   "AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped")
    columns = {}
    for table, column, data_type in cursor.fetchall():
        columns.setdefault(table, {})[column] = data_type
    return columns


def _references(cursor):
    """{table: {tables it refers to}} and {table: [its columns referring to itself]} of the target."""
    cursor.execute("SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, a.attname FROM pg_constraint c "
                   "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
                   "WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace")
    refers, own = {}, {}
    for table, referred, column in cursor.fetchall():
        table, referred = table.strip('"'), referred.strip('"')
        if table == referred:
            own.setdefault(table, []).append(column)
        else:
            refers.setdefault(table, set()).add(referred)
    return refers, own


def plan(source, target_tables, refers):
    """(tables to copy in foreign-key order, the source's tables left out as derived).

    MoveError when a table of the source has no counterpart: the schemas differ.
    """
    source_tables, derived = _source_tables(source)
    missing = source_tables - derived - set(target_tables)
    if missing:
        raise MoveError(f"the PostgreSQL schema has no table {', '.join(sorted(missing))}: the two databases are "
                        "not at the same schema version")
    copied = source_tables - derived
    order = TopologicalSorter({table: refers.get(table, set()) & copied for table in sorted(copied)})
    return list(order.static_order()), sorted(derived)


def _converter(data_type):
    # SQLite keeps booleans as 0 and 1; PostgreSQL's boolean columns take no integers.
    if data_type == "boolean":
        return lambda value: None if value is None else bool(value)
    return None


def copy_table(source, cursor, table, targets, own, progress):
    """Copy one table's rows, in batches, with their ids; returns how many.

    Columns referring to the same table (replies, folders) are filled once every row is in: a row
    may name one with a higher id.
    """
    from psycopg2.extras import execute_values

    columns = _source_columns(source, table)
    missing = [column for column in columns if column not in targets]
    if missing:
        raise MoveError(f"the PostgreSQL table {table} has no column {', '.join(missing)}: the two databases are "
                        "not at the same schema version")
    later = [columns.index(column) for column in own if column in columns]
    converters = [(index, convert) for index, column in enumerate(columns)
                  if (convert := _converter(targets[column]))]
    total = source.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608 - our names
    names = ", ".join(f'"{column}"' for column in columns)
    select = f'SELECT rowid, {names} FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT {BATCH}'  # noqa: S608
    insert = f'INSERT INTO "{table}" ({names}) VALUES %s'  # noqa: S608 - our names
    done, last, pending = 0, -1 << 62, []
    if not total:
        progress(table, 0, 0)
    while rows := source.execute(select, (last,)).fetchall():
        last = rows[-1][0]
        batch = []
        for row in rows:
            values = list(row[1:])
            for index, convert in converters:
                values[index] = convert(values[index])
            for index in later:
                if values[index] is not None:
                    pending.append((columns[index], values[columns.index("id")], values[index]))
                    values[index] = None
            batch.append(values)
        execute_values(cursor, insert, batch, page_size=len(batch))
        done += len(batch)
        progress(table, done, total)
    for column in {column for column, _key, _value in pending}:
        values = [(key, value) for name, key, value in pending if name == column]
        execute_values(cursor, f'UPDATE "{table}" SET "{column}" = later.value FROM (VALUES %s) AS later (id, value) '  # noqa: S608
                       f'WHERE "{table}".id = later.id', values, page_size=BATCH)
    return done


def _set_sequences(cursor):
    """Each sequence of a column (the ids) set to go on after the highest value copied."""
    cursor.execute("SELECT s.oid::regclass::text, t.relname, a.attname FROM pg_class s "
                   "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
                   "JOIN pg_class t ON t.oid = d.refobjid "
                   "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid "
                   "WHERE s.relkind = 'S' AND t.relnamespace = 'public'::regnamespace")
    for sequence, table, column in cursor.fetchall():
        cursor.execute(f'SELECT setval(%s, coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, false)',  # noqa: S608
                       (sequence,))


def _check_counts(source, cursor, tables):
    for table in tables:
        expected = source.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608 - our names
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our names
        found = cursor.fetchone()[0]
        if found != expected:
            raise MoveError(f"{table}: {found} rows in PostgreSQL after the copy, {expected} in SQLite")


def copy_rows(source, url, progress):
    """Copy every table of the SQLite connection source into the migrated PostgreSQL database at url, in
    one transaction; returns Moved (rows per table). progress(table, done, total) follows each table."""
    moved = Moved()
    with pgtools.connect(url) as connection, connection, connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
        targets = _target_columns(cursor)
        refers, own = _references(cursor)
        tables, _derived_tables = plan(source, targets, refers)
        # What the migrations wrote (the first content version, the first settings) gives way to the copy.
        for table in reversed(tables):
            cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 - our names
        for table in tables:
            # The content version's triggers would count each row copied: it is raised once at the end.
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            moved.rows[table] = copy_table(source, cursor, table, targets[table], own.get(table, []), progress)
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        _set_sequences(cursor)
        _check_counts(source, cursor, tables)
    return moved


def rebuild_derived(progress):
    """In the target app's context: the search index built from the copied rows, and the content
    version raised so that no page kept from before is served; returns {table: rows indexed}."""
    indexed = {}
    for index in search_index.INDEXES:
        indexed[index.table] = search_index.rebuild(index, lambda done, total, table=index.table: progress(
            f"search index of {table}", done, total))
    database.execute_sql("UPDATE content_version SET version = version + 1")
    return indexed


def move(source, url, rebuild, progress):
    """Copy the SQLite connection source into the migrated PostgreSQL database at url, then rebuild()
    what is derived; returns Moved. On failure, the PostgreSQL database is emptied again."""
    import psycopg2

    started = time.monotonic()
    try:
        moved = copy_rows(source, url, progress)
        moved.copy_seconds = time.monotonic() - started
        moved.indexed = rebuild()
    except (psycopg2.Error, MoveError) as error:
        with pgtools.connect(url) as connection:
            pgtools.drop_public(connection)
        if isinstance(error, MoveError):
            raise
        raise MoveError(f"the copy failed and was undone: {str(error).strip()}") from error
    moved.seconds = time.monotonic() - started
    return moved
