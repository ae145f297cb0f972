"""Version counters: one-row tables that triggers raise on every change of the tables they watch, whoever
writes (a page, a job, an admin command in another process), in the forms of both database backends."""
from ..db import database, on_postgres


def create_counter(table):
    """The one-row table `table` holding a version that only grows, from 0."""
    database.execute_sql(f"CREATE TABLE IF NOT EXISTS {table} "
                         "(id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)")
    database.execute_sql(f"INSERT INTO {table} (id, version) VALUES (1, 0) ON CONFLICT DO NOTHING")


def count_changes(name, counter, table, event, columns=()):
    """The trigger `name`, raising counter's version after each row of table that event (INSERT, UPDATE or
    DELETE) touches; an UPDATE only when it sets one of columns, when they are given."""
    when = f"AFTER {event}{' OF ' + ', '.join(columns) if columns else ''} ON {table}"
    if on_postgres():
        # One trigger function per counter, shared by its triggers.
        database.execute_sql(f"CREATE OR REPLACE FUNCTION {counter}_raise() RETURNS trigger LANGUAGE plpgsql AS "
                             f"$$ BEGIN UPDATE {counter} SET version = version + 1; RETURN NULL; END $$")
        database.execute_sql(f"CREATE OR REPLACE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION {counter}_raise()")
    else:
        database.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {name} {when} "
                             f"BEGIN UPDATE {counter} SET version = version + 1; END")


def drop_trigger(name, table):
    """Remove the trigger `name` of table, when there is one."""
    database.execute_sql(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if on_postgres() else ""))


def version(counter):
    """The current version of counter."""
    return database.execute_sql(f"SELECT version FROM {counter}").fetchone()[0]  # noqa: S608 - our names
