from django.apps import AppConfig


class StatsConfig(AppConfig):
    """统计分析: figures, trends, hotspots and the leaders' dashboard, read-only over events."""

    name = "gridgov.stats"
    label = "stats"
    verbose_name = "统计分析"

    def ready(self):
        from gridgov.events.signals import event_transition

        from . import shell
        from .keywords.index import index_reported

        shell.register()
        # 热词分析: a reported event's terms are indexed once, after its commit.
        event_transition.connect(index_reported, dispatch_uid="stats.keywords.index_reported")
