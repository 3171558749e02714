from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gridgov.web"
    label = "web"
    verbose_name = "门户"

    def ready(self):
        from .shell import register

        register()
