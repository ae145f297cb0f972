"""What tells a built page it no longer holds: the content version, a number the database itself raises
on every change to the tables that pages and documents show, and the moments events begin and end."""
from peewee import fn

from . import counters
from .events import Event

# Triggers raise it (counters.py): a change made by any writer (a page, an inbox job, an admin command in
# another process) is seen, and no service has to remember to announce its changes.
COUNTER = "content_version"


def create_version_table():
    """The one-row table holding the version."""
    counters.create_counter(COUNTER)


def _trigger(table, event):
    return f"content_changed_{table}_{event}"


def track(*tables):
    """Raise the version on every insert, update and delete in tables (a migration step's work:
    a table that pages come to show later gets its own step)."""
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            counters.count_changes(_trigger(table, event), COUNTER, table, event)


def track_columns(table, *columns):
    """Raise the version when rows are added to table, or these columns of its rows change (a table
    that other work writes all the time, of which pages show only these columns)."""
    counters.count_changes(_trigger(table, "INSERT"), COUNTER, table, "INSERT")
    counters.count_changes(_trigger(table, "UPDATE"), COUNTER, table, "UPDATE", columns)


def untrack_updates(table):
    """No longer raise the version on updates of table (before tracking some of its columns only)."""
    counters.drop_trigger(_trigger(table, "UPDATE"), table)


def content_version():
    """The current version; it only grows."""
    return counters.version(COUNTER)


def next_event_moment(now):
    """The first moment after now at which an event begins or ends, or None: lists of upcoming and
    past events, and what an event page offers, change then without any write."""
    starts = Event.select(fn.MIN(Event.begins_on)).where(Event.begins_on > now)
    ends = Event.select(fn.MIN(Event.ends_on)).where(Event.ends_on > now)
    first = min((value for value in (starts.scalar(), ends.scalar()) if value is not None), default=None)
    return None if first is None else Event.begins_on.python_value(first)
