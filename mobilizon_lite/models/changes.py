"""What tells a built page it no longer holds: the content version, a number the database itself raises
on every change to the tables that pages and documents show, and the moments events begin and end."""
from peewee import fn

from ..db import database
from .events import Event

# Triggers raise it: a change made by any writer (a page, an inbox job, an admin command in another
# process) is seen, and no service has to remember to announce its changes.
_TRIGGER = ("CREATE TRIGGER IF NOT EXISTS content_changed_{table}_{event} AFTER {event} ON {table} "
            "BEGIN UPDATE content_version SET version = version + 1; END")


def create_version_table():
    """The one-row table holding the version."""
    database.execute_sql("CREATE TABLE IF NOT EXISTS content_version "
                         "(id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)")
    database.execute_sql("INSERT OR IGNORE INTO content_version (id, version) VALUES (1, 0)")


def track(*tables):
    """Raise the version on every insert, update and delete in tables (a migration step's work:
    a table that pages come to show later gets its own step)."""
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            database.execute_sql(_TRIGGER.format(table=table, event=event))


def track_columns(table, *columns):
    """Raise the version when rows are added to table, or these columns of its rows change (a table
    that other work writes all the time, of which pages show only these columns)."""
    database.execute_sql(_TRIGGER.format(table=table, event="INSERT"))
    database.execute_sql(_TRIGGER.format(table=table, event="UPDATE").replace(
        "AFTER UPDATE ON", f"AFTER UPDATE OF {', '.join(columns)} ON"))


def content_version():
    """The current version; it only grows."""
    return database.execute_sql("SELECT version FROM content_version").fetchone()[0]


def next_event_moment(now):
    """The first moment after now at which an event begins or ends, or None: lists of upcoming and
    past events, and what an event page offers, change then without any write."""
    starts = Event.select(fn.MIN(Event.begins_on)).where(Event.begins_on > now)
    ends = Event.select(fn.MIN(Event.ends_on)).where(Event.ends_on > now)
    first = min((value for value in (starts.scalar(), ends.scalar()) if value is not None), default=None)
    return None if first is None else Event.begins_on.python_value(first)
