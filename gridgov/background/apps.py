from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    """后台作业: long work (audit verification, rule runs ...) run outside the request, with
    progress, cancellation and a restart that picks it up again."""

    name = "gridgov.background"
    label = "background"
    verbose_name = "后台作业"

    def ready(self):
        from . import kinds  # noqa: F401  (registers the built-in kinds of work)
