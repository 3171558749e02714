"""The scheduled job that ends forgotten patrols (``patrol_autoend``), without Celery.

A patrol left active for more than 12 hours (the phone died, the worker forgot to stop) is
ended at its last point by ``actions.end_stale_patrols``, at most every
``GRIDGOV_PATROL_AUTOEND_SECONDS`` (default 900; 0 turns it off), by the server's scheduler
thread or by Celery beat (``gridgov.core.periodic``).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.core.periodic import Periodic


def _end():
    from .actions import end_stale_patrols

    return end_stale_patrols()


job = Periodic("patrol_autoend", "GRIDGOV_PATROL_AUTOEND_SECONDS", _end,
               failure="ending stale patrols failed",
               label=_("结束超时未结束的巡查"))

reset = job.reset
install = job.install
uninstall = job.uninstall
