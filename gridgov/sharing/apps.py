from django.apps import AppConfig


class SharingConfig(AppConfig):
    """The data resource centre: catalog, share requests, grants and the exchange."""

    name = "gridgov.sharing"
    label = "sharing"
    verbose_name = "数据资源中心"

    def ready(self):
        from gridgov.core.access import register_axis

        from . import shell
        from .checks import GRANT_AXIS, granted_resource_ids

        shell.register()
        # The grant axis of the scope: resources the principal's department holds an active
        # grant on (read by the catalog; computed only when asked).
        register_axis(GRANT_AXIS, granted_resource_ids)
