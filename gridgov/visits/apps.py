from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """走访: visit plans per care group, visits to the people in care, and the overdue list."""

    name = "gridgov.visits"
    label = "visits"
    verbose_name = "走访"

    def ready(self):
        from . import receivers, shell

        shell.register()
        receivers.connect()
