"""Lifting the database guard on the audit tables, for the retention purge and ``flush`` only.

Migrations 0002 and 0004 install triggers that refuse UPDATE on the audit tables (chain heads:
any UPDATE that does not move the head forward) and DELETE unless the guard is lifted inside the
deleting transaction. Lifting it is transaction-local, so no other connection ever sees it:

* PostgreSQL: ``set_config('gridgov.audit_purge', 'on', true)``, honoured by the triggers only
  when ``current_user`` is the purge role ``GRIDGOV_AUDIT_PURGE_DB_ROLE``. The purge connects
  as that role through the ``audit_purge`` database alias (``GRIDGOV_AUDIT_PURGE_DATABASE_URL``)
  or, without one, switches to it with ``SET LOCAL ROLE`` when the session's user is a member.
  Without a configured role nobody can lift the guard and the purge refuses, saying so.
* SQLite: a row in ``audit_purge_permit`` that never commits. Whoever can open the database
  file can do anything to it, so this only stops accidents; the chains, the checkpoints and
  the anchor log outside the database are what catch tampering there.
"""

import re
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

PURGE_ALIAS = "audit_purge"
_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$.-]{0,62}$")


def purge_role() -> str:
    """The configured purge role ("" when none), checked so it can be written into SQL."""
    role = getattr(settings, "GRIDGOV_AUDIT_PURGE_DB_ROLE", "") or ""
    if role and not _ROLE_NAME.match(role):
        raise ImproperlyConfigured(f"GRIDGOV_AUDIT_PURGE_DB_ROLE is not a role name: {role!r}")
    return role


def purge_alias() -> str:
    """The database alias the purge runs on: its own connection when one is configured."""
    return PURGE_ALIAS if PURGE_ALIAS in settings.DATABASES else "default"


def install_purge_role(connection, role: str | None = None) -> None:
    """(PostgreSQL) Write the purge role into ``gridgov_audit_purge_role()``; NULL = nobody.

    Run after every ``migrate`` (``AuditConfig``), so changing the setting takes effect with the
    next migration run. Only the owner of the function (whoever migrates) can replace it.
    """
    if connection.vendor != "postgresql":
        return
    role = purge_role() if role is None else role
    if role and not _ROLE_NAME.match(role):
        raise ImproperlyConfigured(f"not a role name: {role!r}")
    literal = f"'{role}'::text" if role else "NULL::text"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('gridgov_audit_purge_role()') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return  # migration 0004 not applied yet
        cursor.execute("CREATE OR REPLACE FUNCTION gridgov_audit_purge_role() RETURNS text "
                       f"LANGUAGE sql STABLE AS $$ SELECT {literal} $$")


def _become_purge_role(connection) -> bool:
    """(PostgreSQL) Make ``current_user`` the purge role for this transaction; True if it had
    to switch. Raises ImproperlyConfigured with what to do when that is not possible."""
    role = purge_role()
    if not role:
        raise ImproperlyConfigured(
            "on PostgreSQL only the purge database role may delete audit records: set "
            "GRIDGOV_AUDIT_PURGE_DB_ROLE (and GRIDGOV_AUDIT_PURGE_DATABASE_URL to connect as "
            "it), then run gridgov migrate")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, gridgov_audit_purge_role(), "
                       "EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [role])
        user, installed, exists = cursor.fetchone()
        if installed != role:
            raise ImproperlyConfigured(
                f"the database guard names purge role {installed!r}, the setting "
                f"GRIDGOV_AUDIT_PURGE_DB_ROLE {role!r}: run gridgov migrate to install it")
        if user == role:
            return False
        if not exists:
            raise ImproperlyConfigured(f"the purge role {role!r} does not exist in the database")
        cursor.execute("SELECT pg_has_role(session_user, %s, 'MEMBER')", [role])
        if not cursor.fetchone()[0]:
            raise ImproperlyConfigured(
                f"this connection ({user}) cannot act as the purge role {role!r}: set "
                f"GRIDGOV_AUDIT_PURGE_DATABASE_URL to connect as it")
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
    return True


def _set(connection, on: bool) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('gridgov.audit_purge', %s, true)",
                           ["on" if on else "off"])
        elif connection.vendor == "sqlite":
            if on:
                cursor.execute("INSERT INTO audit_purge_permit (id) VALUES (1)")
            else:
                cursor.execute("DELETE FROM audit_purge_permit")


@contextmanager
def deletion_permitted(using: str = "default"):
    """Allow DELETE on the audit tables (and purge-point updates of chain heads) for the code
    inside the block.

    Must run inside ``transaction.atomic(using=using)``: if the block fails, the rollback also
    takes the permission (and, on PostgreSQL, the role switch) back.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("deletion_permitted() must run inside transaction.atomic()")
    switched = connection.vendor == "postgresql" and _become_purge_role(connection)
    _set(connection, True)
    yield
    _set(connection, False)
    if switched:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _is_superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def _replica(connection, on: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = "
                       + ("replica" if on else "origin"))


@contextmanager
def flush_permitted(using: str = "default"):
    """For ``flush`` (erase every table): on PostgreSQL a superuser skips the triggers for this
    transaction (``session_replication_role``; it could drop them anyway), anyone else needs the
    purge role; on SQLite the permit row. Must run inside ``transaction.atomic(using=using)``."""
    connection = connections[using]
    if connection.vendor == "postgresql" and _is_superuser(connection):
        _replica(connection, True)
        yield
        _replica(connection, False)
        return
    with deletion_permitted(using):
        yield
