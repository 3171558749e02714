from django.apps import AppConfig


class RulesConfig(AppConfig):
    """规则: proactive-service rules over declared facts, their firings and the nightly run."""

    name = "gridgov.rules"
    label = "rules"
    verbose_name = "规则"

    def ready(self):
        from . import shell

        shell.register()
