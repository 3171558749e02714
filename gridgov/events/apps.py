from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "gridgov.events"
    label = "events"
    verbose_name = "事件处置"

    def ready(self):
        from . import shell  # noqa: F401  (E3: command room menu entries and 待办)

        shell.register()
        from .views import catalog  # E1: category catalog menu entry

        catalog.register_menu()
        from . import catalog_cache

        catalog_cache.connect()
