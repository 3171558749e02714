from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "gridgov.areas"
    label = "areas"
    verbose_name = "区域与网格"

    def ready(self):
        from .shell import register

        register()
