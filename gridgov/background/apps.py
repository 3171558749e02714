from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    """后台作业: long work (audit verification, rule runs ...) run outside the request, with
    progress, cancellation and a restart that picks it up again."""

    name = "gridgov.background"
    label = "background"
    verbose_name = "后台作业"

    def ready(self):
        from . import kinds  # noqa: F401  (registers the built-in kinds of work)

        # Each app registers its own kinds in ``<app>/jobs.py`` (imports, exports ...):
        # discovered by name, so this app imports none of them.
        discover_jobs()


def discover_jobs() -> None:
    """Import ``jobs`` of every gridgov app that has one (a missing module is fine, an error
    inside one is not)."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("gridgov."):
            continue
        try:
            import_module(f"{config.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.jobs":
                raise
