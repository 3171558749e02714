from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_purge_role(sender, using="default", **kwargs):
    """After every ``migrate``: write GRIDGOV_AUDIT_PURGE_DB_ROLE into the PostgreSQL guard."""
    from django.db import connections

    from .guard import install_purge_role

    install_purge_role(connections[using])


class AuditConfig(AppConfig):
    name = "gridgov.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self):
        from .shell import register

        register()
        post_migrate.connect(_install_purge_role, sender=self,
                             dispatch_uid="gridgov.audit.install_purge_role")
