"""``flush`` (erase every table) with the audit tables' append-only guard lifted.

Django's ``flush`` (also run between transactional tests) empties every table; the audit
triggers of migrations 0002 and 0004 would otherwise refuse it. Erasing the whole database is an
operator's decision outside the application, like dropping it, so only this command lifts the
guard, and only inside its own transaction: on PostgreSQL as a superuser (who could drop the
triggers anyway) or as the purge role, on SQLite with the permit row
(``gridgov.audit.guard.flush_permitted``).
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections, transaction

from gridgov.audit.guard import flush_permitted


class Command(FlushCommand):
    help = FlushCommand.help

    def handle(self, **options):
        database = options["database"]
        connection = connections[database]
        if (connection.vendor == "sqlite"
                and "audit_purge_permit" not in connection.introspection.table_names()):
            return super().handle(**options)
        with transaction.atomic(using=database), flush_permitted(database):
            return super().handle(**options)
