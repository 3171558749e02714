"""The scheduled job that keeps the needs figures up to date (``needs_refresh``).

New reports, visits and contact logs are read into the needs figures
(``actions.refresh_needs``, incremental, at most ``tasks.MAX_BATCHES`` batches per source) at
most every ``GRIDGOV_NEEDS_REFRESH_SECONDS`` (default 900; 0 turns it off), by the server's
scheduler thread or by Celery beat (``gridgov.core.periodic``). Two runs never read the same
batch twice: the read positions are locked rows (``NeedIndexState``).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.core.periodic import Periodic


def _refresh():
    from .actions import refresh_needs
    from .tasks import MAX_BATCHES

    return refresh_needs(actor=None, max_batches=MAX_BATCHES)


job = Periodic("needs_refresh", "GRIDGOV_NEEDS_REFRESH_SECONDS", _refresh,
               failure="refreshing the needs figures failed",
               label=_("更新需求分析数据"))

reset = job.reset
install = job.install
uninstall = job.uninstall
