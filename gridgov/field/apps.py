from django.apps import AppConfig


class FieldConfig(AppConfig):
    """网格员移动终端 (/m/): an installable, offline-first web app for the grid's daily work."""

    name = "gridgov.field"
    label = "field"
    verbose_name = "移动终端"

    def ready(self):
        from . import shell

        shell.register()
