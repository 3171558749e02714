from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "gridgov.moderation"
    label = "moderation"
    verbose_name = "有害信息过滤"

    def ready(self):
        from . import shell

        shell.register()
