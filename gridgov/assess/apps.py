from django.apps import AppConfig


class AssessConfig(AppConfig):
    """效能考核: indicators per department, area and grid worker, weighted schemes, monthly
    snapshots explainable down to the cases, rankings and appeals."""

    name = "gridgov.assess"
    label = "assess"
    verbose_name = "效能考核"

    def ready(self):
        from . import shell

        shell.register()
