from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "gridgov.moderation"
    label = "moderation"
    verbose_name = "有害信息过滤"

    def ready(self):
        from gridgov.events.actions import screening

        from . import actions, shell

        shell.register()
        # Intake screens resident text through this app without importing it (moderation
        # imports events to release held reports; the other way round would be a circle).
        screening.register(screen=actions.screen, hold=actions.open_case,
                           held_terms=actions.held_terms)
