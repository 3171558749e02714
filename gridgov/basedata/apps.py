from django.apps import AppConfig


class BasedataConfig(AppConfig):
    """People, buildings, houses, organisations and components collected by the grids."""

    name = "gridgov.basedata"
    label = "basedata"
    verbose_name = "基础数据"

    def ready(self):
        from . import resources, shell

        shell.register()
        resources.register()
