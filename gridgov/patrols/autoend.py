"""The server ends forgotten patrols itself, without Celery.

A patrol left active for more than 12 hours (the phone died, the worker forgot to stop) is
ended at its last point by ``actions.end_stale_patrols``. Each server process runs it after a
response at most every ``GRIDGOV_PATROL_AUTOEND_SECONDS`` (default 900; 0 turns it off), like
``events.autoscan`` (``gridgov.core.periodic.Periodic``: one thread at a time, a failure logged
and retried, never breaking a request).
"""

from gridgov.core.periodic import Periodic


def _end():
    from .actions import end_stale_patrols

    return end_stale_patrols()


job = Periodic("patrol_autoend", "GRIDGOV_PATROL_AUTOEND_SECONDS", _end,
               failure="ending stale patrols failed")

reset = job.reset
install = job.install
uninstall = job.uninstall
