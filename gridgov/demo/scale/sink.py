"""Writing generated rows fast: PostgreSQL ``COPY`` (psycopg's ``cursor.copy``), SQLite
``executemany`` in big batches.

Rows are built as tuples in the order of ``columns(model)`` (every concrete column, so the
``COPY`` names each one and no database default is relied upon). For PostgreSQL the tuples are
turned into ``COPY`` text lines by ``copy_line`` where they are made (in the worker processes,
so the main process only streams bytes); for SQLite each value is prepared by the model's own
field, as ``save()`` would store it.

Ids are chosen by the generator (so steps can point at their audit records without reading
them back): ``reserve`` takes a block of a table's sequence, ``bump`` moves the sequence past
the highest id written.
"""

import datetime as dt
import json

from django.db import connection


def columns(model) -> list:
    """The concrete fields of ``model``, in table order (their ``attname`` keys a row dict)."""
    return list(model._meta.concrete_fields)


def defaults(model) -> dict:
    """{attname: default} for the fields a generator may leave out (callable defaults such as
    ``timezone.now`` are evaluated once: the generator sets the times it cares about)."""
    out = {}
    for field in columns(model):
        # Django's own rule: the default, else None for a nullable or non-text column, else "".
        value = field.get_default()
        if value is not None or field.null:
            out[field.attname] = value
    return out


def row_of(fields, values: dict, fallback: dict) -> tuple:
    """One row as a tuple in ``fields`` order: ``values`` first, then the model's defaults."""
    out = []
    for field in fields:
        name = field.attname
        if name in values:
            out.append(values[name])
        elif name in fallback:
            out.append(fallback[name])
        else:
            raise KeyError(f"{field.model.__name__}.{name} has no value and no default")
    return tuple(out)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class Raw(str):
    """Text already in its stored form (a JSON document serialised once, for the hash and
    the ``COPY`` alike): escaped for ``COPY``, never serialised again."""


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)


# By exact type (one dictionary look-up per value: millions of values per run).
_FORMATS = {
    type(None): lambda v: "\\N",
    bool: lambda v: "t" if v else "f",
    str: lambda v: v.translate(_ESCAPES) if ("\\" in v or "\t" in v or "\n" in v
                                          or "\r" in v) else v,
    int: str,
    float: repr,
    dt.datetime: dt.datetime.isoformat,
    dt.date: dt.date.isoformat,
    dict: _json,
    list: _json,
}


def copy_value(value) -> str:
    """One value in PostgreSQL's ``COPY`` text format."""
    fmt = _FORMATS.get(type(value))
    if fmt is None:  # a subclass (a lazy string, a choice enum): by its str form
        return str(value).translate(_ESCAPES)
    return fmt(value)


def copy_line(row) -> str:
    """A whole row (without its trailing newline) in ``COPY`` text format."""
    return "\t".join([copy_value(v) for v in row])


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def write(model, fields, rows) -> int:
    """Insert ``rows`` into ``model``'s table: ``COPY`` lines (str) on PostgreSQL, tuples in
    ``fields`` order on SQLite. Returns the number of rows."""
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)
    if is_postgres():
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                # About a megabyte per write: fewer calls, bounded memory.
                for start in range(0, len(rows), 2000):
                    copy.write("\n".join(rows[start:start + 2000]) + "\n")
        return len(rows)
    prepared = [[f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
                for row in rows]
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), 5000):
            cursor.executemany(sql, prepared[start:start + 5000])
    return len(rows)


def reserve(model, n: int) -> int:
    """The first of ``n`` consecutive ids of ``model`` nobody else takes (the generator runs
    alone on its database: the sequence is moved past them in one statement)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            seq = cursor.fetchone()[0]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            top = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [seq])
            first = max(cursor.fetchone()[0], top + 1)
            cursor.execute("SELECT setval(%s, %s)", [seq, first + max(n, 1) - 1])
            return first
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0] + 1


def bump(model) -> None:
    """Move ``model``'s id sequence past its highest id (PostgreSQL; SQLite's AUTOINCREMENT
    follows explicit ids by itself)."""
    if not is_postgres():
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                       f"GREATEST((SELECT MAX(id) FROM {table}), 1))", [table])


def set_trigger(table: str, trigger: str, enabled: bool) -> None:
    """Enable or disable one trigger (PostgreSQL; inside the transaction, so a failure
    restores it)."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} "
                           f"TRIGGER {trigger}")
