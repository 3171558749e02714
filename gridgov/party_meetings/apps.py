from django.apps import AppConfig


class PartyMeetingsConfig(AppConfig):
    """三会一课 and 主题党日: meetings of the party organisations, sign-in, minutes, photos,
    the required frequencies and the overdue organisations."""

    name = "gridgov.party_meetings"
    label = "party_meetings"
    verbose_name = "三会一课"

    def ready(self):
        from . import shell

        shell.register()
