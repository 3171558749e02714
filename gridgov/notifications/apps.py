from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "gridgov.notifications"
    label = "notifications"
    verbose_name = "通知"

    def ready(self):
        from gridgov.events.signals import event_transition

        from . import receivers, shell

        event_transition.connect(receivers.on_event_transition,
                                 dispatch_uid="gridgov.notifications.receivers")
        shell.register()
