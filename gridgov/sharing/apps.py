from django.apps import AppConfig


class SharingConfig(AppConfig):
    """The data resource centre: catalog, share requests, grants and the exchange."""

    name = "gridgov.sharing"
    label = "sharing"
    verbose_name = "数据资源中心"

    def ready(self):
        from . import shell

        shell.register()
