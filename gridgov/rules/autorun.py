"""The server runs the rules itself once a day, without Celery.

Each server process checks, after a response and at most every ``GRIDGOV_RULES_RUN_SECONDS``
(suggested default 3600; 0 or unset turns it off), whether today's run has been done
(``actions.run_nightly``: a finished system run for the local date); if not, it runs every
active rule. A second process or a Celery beat run the same day finds the run done, and even
two runs at once fire nothing twice (the firing's unique constraint). The timing, the
one-thread-at-a-time lock and the retry are ``gridgov.core.periodic.Periodic``'s.
"""

from gridgov.core.periodic import Periodic


def _run():
    from .actions import run_nightly

    return run_nightly()


job = Periodic("rules_run", "GRIDGOV_RULES_RUN_SECONDS", _run,
               failure="the nightly rule run failed")

reset = job.reset
install = job.install
uninstall = job.uninstall
