from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "gridgov.events"
    label = "events"
    verbose_name = "事件处置"
