from django.apps import AppConfig


class PartyworkConfig(AppConfig):
    """党员联系户与志愿服务: members linked to households, their contacts, volunteer activities
    with sign-up and service hours, and members' part in grid work."""

    name = "gridgov.partywork"
    label = "partywork"
    verbose_name = "党员联系户与志愿服务"

    def ready(self):
        from . import shell

        shell.register()
