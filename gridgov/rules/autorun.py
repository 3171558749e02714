"""The scheduled job that runs the rules once a day (``rules_run``), without Celery.

Offered at most every ``GRIDGOV_RULES_RUN_SECONDS`` (suggested 3600; 0 or unset turns it off)
by the server's scheduler thread, or nightly at 01:30 by Celery beat (``gridgov.core.periodic``),
it checks whether today's run has been done (``actions.run_nightly``: a finished system run for
the local date); if not, it runs every active rule. Even two runs at once fire nothing twice
(the firing's unique constraint).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.core.periodic import Periodic


def _run():
    from .actions import run_nightly

    return run_nightly()


job = Periodic("rules_run", "GRIDGOV_RULES_RUN_SECONDS", _run,
               failure="the nightly rule run failed",
               label=_("运行主动服务规则"))

reset = job.reset
install = job.install
uninstall = job.uninstall
