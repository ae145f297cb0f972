"""The full-text index of events and actors, on either database: what each index holds and how much each
column counts, what someone typed as the words to find, and the matches.

SQLite keeps the words in FTS5 tables (search_fts5.py), PostgreSQL in a tsvector column of the table itself
(search_tsvector.py); both ignore accents and case, match every typed word as a prefix and rank a title
above tags above the rest. Triggers keep either in step with every writer.
"""
from typing import NamedTuple

from ..db import database, on_postgres
from . import search_fts5, search_tsvector
from .actors import Actor
from .events import Event


class Index(NamedTuple):
    """The words of one table's rows: its columns, each with its weight (bm25's column weights, in order)."""
    model: type
    columns: tuple

    @property
    def table(self):
        return self.model._meta.table_name

    @property
    def name(self):
        return f"{self.table}_search"


# A title counts most, then tags, then the description and the place.
EVENTS = Index(Event, (("title", 10.0), ("tags", 4.0), ("description_source", 1.0), ("place_name", 1.0),
                       ("locality", 1.0)))
ACTORS = Index(Actor, (("name", 10.0), ("preferred_username", 5.0), ("summary_source", 1.0)))
INDEXES = (EVENTS, ACTORS)


def _backend():
    return search_tsvector if on_postgres() else search_fts5


def create_indexes():
    """The indexes and the triggers that keep them (a migration step's work; filled by rebuild())."""
    for index in INDEXES:
        _backend().create(index)


def rebuild(index, progress=None, batch=5000):
    """Index every row of index's table again (after a doubt, or a bulk change made without the triggers);
    the count of rows. progress(done, total) is told after each batch."""
    backend, model = _backend(), index.model
    total = model.select().count()
    done, last = 0, 0
    with database.atomic():
        backend.clear(index)
        while True:
            # In id order from the last one indexed: each batch reads its rows by the primary key.
            ids = [row[0] for row in model.select(model.id).where(model.id > last).order_by(model.id)
                   .limit(batch).tuples()]
            if not ids:
                break
            backend.write(index, ids[0], ids[-1])
            done, last = done + len(ids), ids[-1]
            if progress:
                progress(done, total)
    return done


def size_bytes():
    """The bytes the indexes take in the database; None where the database cannot tell."""
    return _backend().size_bytes(INDEXES)


def words(query, limit):
    """The first `limit` words of what someone typed that hold something searchable (a letter or a digit)."""
    return [word for word in query.split() if any(character.isalnum() for character in word)][:limit]


def match_text(query, limit):
    """The index's query text of the first `limit` words of what someone typed, each matched as a prefix and
    all of them needed, none read as the query language's syntax; None when nothing searchable was typed."""
    found = words(query, limit)
    return _backend().match_text(found) if found else None


def narrowed(index, query, text):
    """(query narrowed to the rows of index's model matching text (from match_text), the expression of their
    score: lower for better matches). query selects from the model, joined to anything."""
    return _backend().narrowed(index, query, text)
