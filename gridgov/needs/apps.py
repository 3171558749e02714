from django.apps import AppConfig


class NeedsConfig(AppConfig):
    """需求分析: what residents need, read from reports, hotline work orders, visits and
    contact logs; and the statistics of party building and proactive services."""

    name = "gridgov.needs"
    label = "needs"
    verbose_name = "需求分析"

    def ready(self):
        from . import shell

        shell.register()
