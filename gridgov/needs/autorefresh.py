"""The server keeps the needs figures up to date by itself, without Celery.

Each server process reads new reports, visits and contact logs into the needs figures
(``actions.refresh_needs``, incremental, at most ``tasks.MAX_BATCHES`` batches per source)
after a response at most every ``GRIDGOV_NEEDS_REFRESH_SECONDS`` (default 900; 0 turns it
off), like ``events.autoscan`` (``gridgov.core.periodic.Periodic``). Two processes never read
the same batch twice: the read positions are locked rows (``NeedIndexState``). Celery beat
runs the same job (``tasks.refresh_needs``).
"""

from gridgov.core.periodic import Periodic


def _refresh():
    from .actions import refresh_needs
    from .tasks import MAX_BATCHES

    return refresh_needs(actor=None, max_batches=MAX_BATCHES)


job = Periodic("needs_refresh", "GRIDGOV_NEEDS_REFRESH_SECONDS", _refresh,
               failure="refreshing the needs figures failed")

reset = job.reset
install = job.install
uninstall = job.uninstall
