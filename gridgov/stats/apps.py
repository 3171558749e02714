from django.apps import AppConfig


class StatsConfig(AppConfig):
    """统计分析: figures, trends, hotspots and the leaders' dashboard, read-only over events."""

    name = "gridgov.stats"
    label = "stats"
    verbose_name = "统计分析"

    def ready(self):
        from . import shell

        shell.register()
