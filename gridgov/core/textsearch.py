"""Substring search ("contains", case-insensitive) on an index that serves Chinese text.

Chinese names are two or three characters, so a search of one or two characters is common,
and PostgreSQL's pg_trgm cannot use its index below three. On PostgreSQL the basic-data
tables therefore carry a GIN expression index on ``gridgov_grams(a, b)``: every 1- and
2-character substring of the upper-cased pair of columns (``name``, ``address`` ...). A
search for ``q`` first asks the index for the rows holding every 2-character substring of
``q`` (the 1-character one for a one-character query), ``gridgov_query_grams(q)``, then
rechecks the exact ``icontains`` on those rows only; so the result is exactly the
``icontains`` result, found without reading the table.

Both SQL functions upper-case with PostgreSQL's own ``upper()``, as Django's ``icontains``
does (``UPPER(col) LIKE UPPER(%q%)``), so the index never drops a row ``icontains`` keeps.
On other databases (SQLite) the index condition compiles to nothing and the search is the
plain ``icontains`` scan.

The functions and the indexes (``<table>_grams``) are created by the basic-data migration
0004 on PostgreSQL only; the functions do not hold DISTINCT on the row side (GIN removes
duplicate keys itself, and the sort cost a third of the index build).
"""

import operator
from functools import reduce

from django.core.exceptions import FullResultSet
from django.db.models import BooleanField, F, Func, Q, Value


def index_name(table: str) -> str:
    """The name of a table's gram index (what EXPLAIN shows)."""
    return f"{table}_grams"


class GramsMatch(Func):
    """``gridgov_grams(a, b) @> gridgov_query_grams(q)``: the index condition of a search.

    A necessary condition only (the caller adds the exact ``icontains``). On databases
    other than PostgreSQL it raises ``FullResultSet``, which Django's WHERE compiler reads as
    "matches every row" and leaves out.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, value: str, a: str, b: str):
        super().__init__(Func(F(a), F(b), function="gridgov_grams"),
                         Func(Value(value), function="gridgov_query_grams"))

    def as_sql(self, compiler, connection, **extra):
        raise FullResultSet

    def as_postgresql(self, compiler, connection, **extra):
        grams, query = (compiler.compile(e) for e in self.get_source_expressions())
        return f"({grams[0]} @> {query[0]})", [*grams[1], *query[1]]


def contains_q(value: str, a: str, b: str) -> Q:
    """Rows where ``value`` is a substring of column ``a`` or of column ``b``, case-
    insensitive: exactly ``a__icontains | b__icontains``, found through the table's gram
    index on ``gridgov_grams(a, b)`` on PostgreSQL (without one it is still right, only a
    scan)."""
    exact = reduce(operator.or_, (Q(**{f"{f}__icontains": value}) for f in (a, b)))
    if not value:
        return exact  # every row matches; an empty gram set would only cost an index scan
    return Q(GramsMatch(value, a, b)) & exact
