"""SQL that SQLite and PostgreSQL write differently, behind one function each: equality that holds between
NULLs, the larger of values, the elements of a JSON list, rows locked for the rest of a transaction, a sort
kept off an index."""
from typing import NamedTuple

from peewee import OP, SQL, Cast, Expression, NodeList, fn

from .db import on_postgres


class Elements(NamedTuple):
    """A FROM item of a JSON list's elements, one row each, and its column of their values."""
    source: object
    value: object


def same(lhs, rhs):
    """The condition that lhs equals rhs, or both are NULL: SQLite's IS, PostgreSQL's IS NOT DISTINCT FROM."""
    return Expression(lhs, "IS NOT DISTINCT FROM" if on_postgres() else OP.IS, rhs)


def greatest(*values):
    """The largest of values, in one row: SQLite's MAX() of several arguments, PostgreSQL's GREATEST()."""
    return fn.GREATEST(*values) if on_postgres() else fn.MAX(*values)


def json_elements(json_text, name):
    """The elements of the JSON list json_text (a column or a value), as the FROM item `name`: json_each on
    SQLite; on PostgreSQL json_array_elements_text of the text read as JSON, its elements as text."""
    if on_postgres():
        source = NodeList((fn.json_array_elements_text(Cast(json_text, "json")), SQL(f"AS {name}(value)")))
    else:
        source = fn.json_each(json_text).alias(name)
    return Elements(source, SQL(f"{name}.value"))


def lock_rows(query):
    """Lock query's rows until the transaction ends on PostgreSQL (SELECT … FOR UPDATE), for a read-then-write
    that must not race, such as a count of seats; nothing on SQLite, whose write transactions hold the whole
    database already."""
    if on_postgres():
        query.for_update().execute()


def unindexed(column):
    """column, for an ORDER BY that must not walk column's index: "+column" on SQLite, whose planner would
    otherwise read rows in the index's order and test each against the rest (seconds for a rare word); as it
    is on PostgreSQL, whose planner weighs both ways by its statistics."""
    return column if on_postgres() else NodeList((SQL("+"), column), glue="")
