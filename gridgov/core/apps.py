from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


def _sync_access(sender, using="default", **kwargs):
    from django.db import connections

    from .access import grants

    # A migration run backwards (or a partial plan) may leave the tables absent.
    tables = set(connections[using].introspection.table_names())
    if {"core_roledefinition", "core_permission", "audit_auditrecord"} <= tables:
        # A flush (plan None) empties every table, the audit log included, and leaves
        # nothing to account for; a migrate records what it added to the table.
        grants.sync(verbosity=0, audit=kwargs.get("plan") is not None)


class CoreConfig(AppConfig):
    name = "gridgov.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from . import signals  # noqa: F401  (connects the cache invalidation receivers)

        # After every migrate (and every test-database flush): permissions and built-in
        # roles declared by the code exist as rows.
        post_migrate.connect(_sync_access, sender=self, dispatch_uid="gridgov_access_sync")
        # `gridgov check --deploy` fails on missing production keys (keys_check.py).
        from .keys_check import deploy_check

        checks.register(deploy_check, checks.Tags.security, deploy=True)
        # Link secrets in paths stay out of Django's request log (access_log.py).
        from .access_log import install_filter

        install_filter()
