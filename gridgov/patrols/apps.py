from django.apps import AppConfig


class PatrolsConfig(AppConfig):
    """巡查: grid workers' duty and patrols with their sampled tracks, time and distance."""

    name = "gridgov.patrols"
    label = "patrols"
    verbose_name = "巡查"

    def ready(self):
        from . import shell

        shell.register()
