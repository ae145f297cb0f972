"""Claiming queued rows, so that two drainers (server processes, an admin command) never take the same one.

A claim moves the rows' due time (next_attempt_at) past a bound, in the transaction that read them: other
drainers see them as not due until whoever claimed them records their outcome, or until the bound passes
(their process died), when they are due again and nothing is lost.
"""
from peewee import PostgresqlDatabase

from .db import database


def is_postgres():
    """True when the current app's database is PostgreSQL (else it is SQLite)."""
    return isinstance(database.obj, PostgresqlDatabase)


def locking(query, *models):
    """query locking the rows of models it reads until its transaction ends, and passing over those another
    transaction holds: FOR UPDATE SKIP LOCKED on PostgreSQL. SQLite needs nothing: transactions here take its
    one write lock as they begin (db.ImmediateSqliteDatabase), so a claim reads what no other claim holds."""
    return query.for_update(of=models, skip_locked=True) if is_postgres() else query


def claim(query, field, until):
    """The rows of query (a select of field's model), claimed until `until` by setting field to it in the
    transaction that read them."""
    if not query.exists():
        return []  # most runs of a queue's job: no write lock taken for nothing
    model = field.model
    with database.atomic():
        rows = list(locking(query, model))
        if rows:
            model.update({field: until}).where(model.id.in_([row.id for row in rows])).execute()
    return rows
