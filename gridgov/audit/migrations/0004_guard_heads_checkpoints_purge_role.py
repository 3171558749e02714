"""Guard the chain heads, the checkpoints and the key epochs; tie the purge switch to one role.

Migration 0002 made records, anchors and purge marks append-only. Here:

* ``audit_chainhead``: no DELETE (nor TRUNCATE) unless the guard is lifted; UPDATE only moving
  the head forward (``seq`` grows, the purge point stays), or, with the guard lifted, only
  moving the purge point forward (what the retention purge does). Rewinding a head to hide a
  deleted last record is refused.
* ``audit_auditcheckpoint``, ``audit_auditkeyepoch``: like the other audit tables.
* PostgreSQL: the guard is lifted only when ``gridgov.audit_purge = 'on'`` **and**
  ``current_user`` is the purge role (``gridgov_audit_purge_role()``, NULL = nobody). The role
  is installed from ``GRIDGOV_AUDIT_PURGE_DB_ROLE`` after every ``migrate`` (a post_migrate
  handler, ``gridgov.audit.guard.install_purge_role``), so any other session setting the
  switch is still refused.
* SQLite: the permit table of 0002 stays; with file access there is no role to check.

The SQL is written out here (not imported) so that this migration never changes.
"""

from django.db import migrations

NEW_TABLES = ("audit_auditcheckpoint", "audit_auditkeyepoch")
HEAD = "audit_chainhead"

PG_OLD_GUARD = """
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
"""

PG_FORWARD = [
    # Nobody until installed from the setting (see the module docstring).
    """
    CREATE OR REPLACE FUNCTION gridgov_audit_purge_role() RETURNS text
    LANGUAGE sql STABLE AS $$ SELECT NULL::text $$;
    """,
    """
    CREATE OR REPLACE FUNCTION gridgov_audit_purge_permitted() RETURNS boolean
    LANGUAGE sql STABLE AS $$
        SELECT COALESCE(current_setting('gridgov.audit_purge', true) = 'on'
                        AND current_user = gridgov_audit_purge_role(), false)
    $$;
    """,
    """
    CREATE OR REPLACE FUNCTION gridgov_audit_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') AND gridgov_audit_purge_permitted() THEN
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
    """
    CREATE OR REPLACE FUNCTION gridgov_audit_head_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF gridgov_audit_purge_permitted() THEN
                RETURN OLD;
            END IF;
        ELSIF NEW.chain_key = OLD.chain_key AND NEW.seq > OLD.seq
              AND NEW.purged_seq = OLD.purged_seq AND NEW.purged_hash = OLD.purged_hash THEN
            RETURN NEW;
        ELSIF gridgov_audit_purge_permitted() AND NEW.chain_key = OLD.chain_key
              AND NEW.seq = OLD.seq AND NEW.last_hash = OLD.last_hash
              AND NEW.purged_seq >= OLD.purged_seq THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION
            'audit log is append-only: chain heads only move forward (% on % refused)',
            TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    """,
    f"CREATE TRIGGER {HEAD}_guard BEFORE UPDATE OR DELETE ON {HEAD} "
    f"FOR EACH ROW EXECUTE FUNCTION gridgov_audit_head_guard();",
    f"CREATE TRIGGER {HEAD}_guard_truncate BEFORE TRUNCATE ON {HEAD} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION gridgov_audit_guard();",
]
for _table in NEW_TABLES:
    PG_FORWARD += [
        f"CREATE TRIGGER {_table}_guard BEFORE UPDATE OR DELETE ON {_table} "
        f"FOR EACH ROW EXECUTE FUNCTION gridgov_audit_guard();",
        f"CREATE TRIGGER {_table}_guard_truncate BEFORE TRUNCATE ON {_table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION gridgov_audit_guard();",
    ]
PG_BACKWARD = []
for _table in (*NEW_TABLES, HEAD):
    PG_BACKWARD += [
        f"DROP TRIGGER IF EXISTS {_table}_guard_truncate ON {_table};",
        f"DROP TRIGGER IF EXISTS {_table}_guard ON {_table};",
    ]
PG_BACKWARD += [
    "DROP FUNCTION IF EXISTS gridgov_audit_head_guard();",
    PG_OLD_GUARD,
    "DROP FUNCTION IF EXISTS gridgov_audit_purge_permitted();",
    "DROP FUNCTION IF EXISTS gridgov_audit_purge_role();",
]

_PERMIT = "EXISTS (SELECT 1 FROM audit_purge_permit)"
SQLITE_FORWARD = [
    f"CREATE TRIGGER {HEAD}_no_delete BEFORE DELETE ON {HEAD} "
    f"WHEN NOT {_PERMIT} "
    f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE on {HEAD} refused'); END;",
    f"CREATE TRIGGER {HEAD}_forward_only BEFORE UPDATE ON {HEAD} "
    f"WHEN NOT ((NEW.chain_key = OLD.chain_key AND NEW.seq > OLD.seq "
    f"AND NEW.purged_seq = OLD.purged_seq AND NEW.purged_hash = OLD.purged_hash) "
    f"OR ({_PERMIT} AND NEW.chain_key = OLD.chain_key AND NEW.seq = OLD.seq "
    f"AND NEW.last_hash = OLD.last_hash AND NEW.purged_seq >= OLD.purged_seq)) "
    f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: chain heads only move forward "
    f"(UPDATE on {HEAD} refused)'); END;",
]
for _table in NEW_TABLES:
    SQLITE_FORWARD += [
        f"CREATE TRIGGER {_table}_no_update BEFORE UPDATE ON {_table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE on {_table} refused'); "
        f"END;",
        f"CREATE TRIGGER {_table}_no_delete BEFORE DELETE ON {_table} "
        f"WHEN NOT {_PERMIT} "
        f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE on {_table} refused'); "
        f"END;",
    ]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {HEAD}_forward_only;",
                   f"DROP TRIGGER IF EXISTS {HEAD}_no_delete;"]
for _table in NEW_TABLES:
    SQLITE_BACKWARD += [
        f"DROP TRIGGER IF EXISTS {_table}_no_delete;",
        f"DROP TRIGGER IF EXISTS {_table}_no_update;",
    ]

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

    dependencies = [("audit", "0003_checkpoint_keyepoch")]

    operations = [migrations.RunPython(forward, backward)]
