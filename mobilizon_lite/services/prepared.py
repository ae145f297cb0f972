"""Queries whose SQL is written once per kind of database: peewee takes longer to write a query than
SQLite takes to run it (0.45 ms against 0.02 ms for an event and its organiser), on every page."""
import functools

from peewee import Node

from ..db import database


class _Given:
    """Among a query's own fixed values, where the given value of this index goes."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


class Value(Node):
    """The index-th value given to rows(), in its stored form: build's index-th argument."""

    def __init__(self, index):
        super().__init__()
        self.index = index

    def __sql__(self, ctx):
        return ctx.value(_Given(self.index), converter=False)


class Prepared:
    """The query build(Value(0), Value(1), …) (taking `count` values), written once and run with fresh
    values, given to rows() in build's order."""

    def __init__(self, count, build):
        self.count, self.build, self.written = count, build, {}

    def _written(self):
        kind = type(database.obj)  # the SQL depends on the database's dialect only
        if kind not in self.written:
            query = self.build(*(Value(index) for index in range(self.count)))
            self.written[kind] = (query, *query.sql())
        return self.written[kind]

    def cursor(self, *values):
        """Run the query with these values; the database's cursor (its rowcount tells what a write changed)."""
        _query, sql, fixed = self._written()
        return database.execute_sql(sql, [values[value.index] if type(value) is _Given else value for value in fixed])

    def rows(self, *values):
        """The query's rows (as the query reads them: models, tuples…) for these values."""
        return self._written()[0]._get_cursor_wrapper(self.cursor(*values))

    def first(self, *values):
        """The first row for these values, or None."""
        return next(iter(self.rows(*values)), None)


def prepared(count):
    """Decorator: the function building a query of `count` Values, as a Prepared."""
    return lambda build: Prepared(count, build)


def shaped(count):
    """Decorator: build(shape, Value(0), …) (a shape: the length of an IN list, a choice between two
    conditions) as one Prepared per shape met, of count(shape) Values; call the result with the shape."""
    def decorate(build):
        found = {}

        def for_shape(shape):
            if shape not in found:
                found[shape] = Prepared(count(shape), functools.partial(build, shape))
            return found[shape]
        return for_shape
    return decorate
