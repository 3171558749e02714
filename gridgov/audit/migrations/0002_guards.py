"""Database triggers that keep the audit tables append-only, below the application.

The models already refuse save() on an existing row, delete() and queryset update/delete. These
triggers also refuse raw SQL: UPDATE always, DELETE unless the retention purge (or ``flush``)
has lifted the guard inside its own transaction (``gridgov.audit.guard.deletion_permitted``):

* PostgreSQL: the transaction-local setting ``gridgov.audit_purge = 'on'``;
* SQLite: a row in ``audit_purge_permit``, inserted and removed in the same transaction.

The SQL is written out here (not imported) so that this migration never changes.
"""

from django.db import migrations

TABLES = ("audit_auditrecord", "audit_auditanchor", "audit_auditpurgemark")

PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION gridgov_audit_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE')
           AND current_setting('gridgov.audit_purge', true) = 'on' THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    """,
]
for _table in TABLES:
    PG_FORWARD += [
        f"CREATE TRIGGER {_table}_guard BEFORE UPDATE OR DELETE ON {_table} "
        f"FOR EACH ROW EXECUTE FUNCTION gridgov_audit_guard();",
        f"CREATE TRIGGER {_table}_guard_truncate BEFORE TRUNCATE ON {_table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION gridgov_audit_guard();",
    ]
PG_BACKWARD = []
for _table in TABLES:
    PG_BACKWARD += [
        f"DROP TRIGGER IF EXISTS {_table}_guard_truncate ON {_table};",
        f"DROP TRIGGER IF EXISTS {_table}_guard ON {_table};",
    ]
PG_BACKWARD.append("DROP FUNCTION IF EXISTS gridgov_audit_guard();")

SQLITE_FORWARD = ["CREATE TABLE audit_purge_permit (id integer NOT NULL PRIMARY KEY);"]
for _table in TABLES:
    SQLITE_FORWARD += [
        f"CREATE TRIGGER {_table}_no_update BEFORE UPDATE ON {_table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE on {_table} refused'); "
        f"END;",
        f"CREATE TRIGGER {_table}_no_delete BEFORE DELETE ON {_table} "
        f"WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit) "
        f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE on {_table} refused'); "
        f"END;",
    ]
SQLITE_BACKWARD = []
for _table in TABLES:
    SQLITE_BACKWARD += [
        f"DROP TRIGGER IF EXISTS {_table}_no_delete;",
        f"DROP TRIGGER IF EXISTS {_table}_no_update;",
    ]
SQLITE_BACKWARD.append("DROP TABLE IF EXISTS audit_purge_permit;")

STATEMENTS = {
    "postgresql": (PG_FORWARD, PG_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def _run(schema_editor, index):
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    if not statements:
        return  # Other databases: the model-level refusals still apply.
    for sql in statements[index]:
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, 0)


def backward(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):

    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
