"""The search index on SQLite: FTS5 tables kept by triggers, and FTS5's query text.

The indexes are "external content" tables: they hold the words only and read the text from the event
and actor rows, so they add the index's size and no copy of the text. Triggers keep them in step with
every writer (a page, the inbox's jobs, an admin command in another process, a migration) without any
service having to remember; the events and actors of bulk writes are indexed the same way.
"""
from peewee import OperationalError
from playhouse.sqlite_ext import FTS5Model, RowIDField, SearchField

from ..db import database

# Accents and case never matter ("montreal" finds "Montréal"); prefix queries of 2 and 3 characters
# read a prefix index rather than every longer word.
_OPTIONS = {"tokenize": "unicode61 remove_diacritics 2", "prefix": "2 3"}


class EventSearch(FTS5Model):
    """The words of each event (rowid: the event's id); the columns are the event's own."""

    rowid = RowIDField()
    title = SearchField()
    tags = SearchField()  # the JSON list: its brackets and quotes are no words
    description_source = SearchField()
    place_name = SearchField()
    locality = SearchField()

    class Meta:
        database = database
        table_name = "event_search"
        options = {"content": "event", "content_rowid": "id", **_OPTIONS}


class ActorSearch(FTS5Model):
    """The words of each actor, people and groups (rowid: the actor's id)."""

    rowid = RowIDField()
    name = SearchField()
    preferred_username = SearchField()
    summary_source = SearchField()

    class Meta:
        database = database
        table_name = "actor_search"
        options = {"content": "actor", "content_rowid": "id", **_OPTIONS}


MODELS = {"event": EventSearch, "actor": ActorSearch}


def create(index):
    """index's FTS5 table and the triggers that keep it."""
    model = MODELS[index.table]
    model.create_table()
    name, table = index.name, index.table
    listed = ", ".join(column for column, _weight in index.columns)
    new = ", ".join(f"new.{column}" for column, _weight in index.columns)
    old = ", ".join(f"old.{column}" for column, _weight in index.columns)
    insert = f"INSERT INTO {name} (rowid, {listed}) VALUES (new.id, {new});"
    # An external content index forgets a row by being told the words it indexed for it.
    forget = f"INSERT INTO {name} ({name}, rowid, {listed}) VALUES ('delete', old.id, {old});"
    database.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {name}_insert AFTER INSERT ON {table} BEGIN {insert} END")
    database.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {name}_delete AFTER DELETE ON {table} BEGIN {forget} END")
    # Only a change of the indexed columns: actors' rows change on every fetch, events' on every edit.
    database.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {name}_update AFTER UPDATE OF {listed} ON {table} "
                         f"BEGIN {forget} {insert} END")


def clear(index):
    """Forget every row's words (rebuild() writes them again)."""
    database.execute_sql(f"INSERT INTO {index.name} ({index.name}) VALUES ('delete-all')")


def write(index, first, last):
    """Index the words of the rows of ids first to last."""
    listed = ", ".join(column for column, _weight in index.columns)
    database.execute_sql(f"INSERT INTO {index.name} (rowid, {listed}) SELECT id, {listed} FROM {index.table} "
                         f"WHERE id BETWEEN ? AND ?", (first, last))


def size_bytes(indexes):
    """The bytes the FTS5 tables take in the database file (their shadow tables); None where SQLite was
    built without the dbstat table that tells."""
    names = " OR ".join(f"name LIKE '{index.name}%'" for index in indexes)
    try:
        return database.execute_sql(f"SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE {names}").fetchone()[0]
    except OperationalError:
        return None


def match_text(words):
    """FTS5 query text of words: each quoted (so no input is read as FTS5 syntax: AND, NEAR(, *, -, ") and
    matched as a prefix; every word must match."""
    return " ".join('"{}"*'.format(word.replace('"', '""')) for word in words)


def narrowed(index, query, text):
    """query joined to index's matches of text, and their bm25 score (lower for better matches)."""
    model = MODELS[index.table]
    matches = (model.select(model.rowid, model.bm25(*(weight for _column, weight in index.columns)).alias("score"))
               .where(model.match(text)).alias("matches"))
    return query.join_from(index.model, matches, on=(matches.c.rowid == index.model.id)), matches.c.score
