from django.apps import AppConfig


class PartyConfig(AppConfig):
    """党建组织与党员: the party organisation tree, members, posts, terms and transfers."""

    name = "gridgov.party"
    label = "party"
    verbose_name = "党建组织与党员"

    def ready(self):
        from . import receivers, shell

        shell.register()
        receivers.connect()
