"""The full-text index of events and actors (SQLite FTS5), kept by triggers, and the safe MATCH text.

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


# A title counts most, then tags, then the description and the place (bm25's column weights, in the
# columns' order).
EVENT_WEIGHTS = (10.0, 4.0, 1.0, 1.0, 1.0)
ACTOR_WEIGHTS = (10.0, 5.0, 1.0)
INDEXES = ((EventSearch, "event"), (ActorSearch, "actor"))


def _columns(model):
    return [field.column_name for field in model._meta.sorted_fields if field.name != "rowid"]


def create_indexes():
    """The index tables and the triggers that keep them (a migration step's work; filled by rebuild())."""
    for model, table in INDEXES:
        model.create_table()
        name, columns = model._meta.table_name, _columns(model)
        listed = ", ".join(columns)
        new = ", ".join(f"new.{column}" for column in columns)
        old = ", ".join(f"old.{column}" for column in columns)
        insert = f"INSERT INTO {name} (rowid, {listed}) VALUES (new.id, {new});"
        # An external content index forgets a row by being told the words it indexed for it.
        forget = f"INSERT INTO {name} ({name}, rowid, {listed}) VALUES ('delete', old.id, {old});"
        database.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {name}_insert AFTER INSERT ON {table} BEGIN {insert} END")
        database.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {name}_delete AFTER DELETE ON {table} BEGIN {forget} END")
        # Only a change of the indexed columns: actors' rows change on every fetch, events' on every edit.
        database.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {name}_update AFTER UPDATE OF {listed} ON {table} "
                             f"BEGIN {forget} {insert} END")


def rebuild(model, progress=None, batch=5000):
    """Index every row of model's table again (after a doubt, or a bulk change made without the triggers);
    the count of rows. progress(done, total) is told after each batch."""
    name, table = model._meta.table_name, dict(INDEXES)[model]
    listed = ", ".join(_columns(model))
    total = database.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    done, last = 0, 0
    with database.atomic():
        database.execute_sql(f"INSERT INTO {name} ({name}) VALUES ('delete-all')")
        while True:
            # In id order from the last one indexed: each batch reads its rows by the primary key.
            ids = [row[0] for row in database.execute_sql(
                f"SELECT id FROM {table} WHERE id > ? ORDER BY id LIMIT ?", (last, batch)).fetchall()]
            if not ids:
                break
            database.execute_sql(f"INSERT INTO {name} (rowid, {listed}) SELECT id, {listed} FROM {table} "
                                 f"WHERE id BETWEEN ? AND ?", (ids[0], ids[-1]))
            done, last = done + len(ids), ids[-1]
            if progress:
                progress(done, total)
    return done


def size_bytes():
    """The bytes the indexes take in the database file (their shadow tables); None where SQLite was built
    without the dbstat table that tells."""
    try:
        return database.execute_sql("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'event_search%' "
                                    "OR name LIKE 'actor_search%'").fetchone()[0]
    except OperationalError:
        return None


def match_text(query, limit):
    """FTS5 query text of the first `limit` words of what someone typed: each word quoted (so no input is
    read as FTS5 syntax: AND, NEAR(, *, -, ") and matched as a prefix; every word must match. None when
    nothing searchable was typed."""
    words = [word for word in query.split() if any(character.isalnum() for character in word)][:limit]
    if not words:
        return None
    return " ".join('"{}"*'.format(word.replace('"', '""')) for word in words)


def matching(model, text):
    """The (rowid, score) rows of model's index matching text; lower scores are better matches."""
    weights = EVENT_WEIGHTS if model is EventSearch else ACTOR_WEIGHTS
    return (model.select(model.rowid, model.bm25(*weights).alias("score"))
            .where(model.match(text)))
