from django.apps import AppConfig


class ProactiveConfig(AppConfig):
    """主动服务: benefits without application, service tasks from the rules, consent."""

    name = "gridgov.proactive"
    label = "proactive"
    verbose_name = "主动服务"

    def ready(self):
        from . import receivers, shell

        shell.register()
        receivers.connect()
