"""What an attacker holding the database owner's rights can do: switch the append-only
triggers off and change rows with raw SQL. The hash chain must still catch it."""

from contextlib import contextmanager

from django.db import connection

TABLES = ("audit_auditrecord", "audit_auditanchor", "audit_auditpurgemark", "audit_chainhead",
          "audit_auditcheckpoint", "audit_auditkeyepoch")


@contextmanager
def guards_lifted():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield cursor
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            placeholders = ", ".join(["%s"] * len(TABLES))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                f"AND tbl_name IN ({placeholders})", list(TABLES))
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
            yield cursor
            for _name, sql in triggers:
                cursor.execute(sql)


def tamper(sql, params=()):
    """Run one raw statement with the guards off; returns the affected row count."""
    with guards_lifted() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def db_datetime(value):
    """A datetime as the database column stores it (text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def json_param():
    """The placeholder for a JSON value given as text."""
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
