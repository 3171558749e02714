from django.apps import AppConfig


class TasksConfig(AppConfig):
    """核查、采集、走访任务: work the command room assigns to a grid worker or to the nearest
    worker on duty (力量调度)."""

    name = "gridgov.tasks"
    label = "tasks"
    verbose_name = "指挥任务"

    def ready(self):
        from . import shell

        shell.register()
