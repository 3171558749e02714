"""The scheduled job that raises deadline alerts (``deadline_scan``), without Celery.

The embedded default runs no Celery beat, so without this nothing would ever mark a stage due
soon or overdue: no alert, no notice, no escalation. ``tasks.scan_deadlines`` runs at most
every ``GRIDGOV_DEADLINE_SCAN_SECONDS`` (default 300; 0 turns it off), by the server's
scheduler thread or by Celery beat (``gridgov.core.periodic``: once across processes, a failure
logged and retried a minute later). Should two scans ever meet, nothing is marked twice:
``actions.alerts.mark_deadline`` marks a stage once.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.core.periodic import Periodic


def _scan():
    from .tasks import scan_deadlines

    return scan_deadlines()


job = Periodic("deadline_scan", "GRIDGOV_DEADLINE_SCAN_SECONDS", _scan,
               failure="the deadline scan failed",
               label=_("扫描临期与超期事件"))


def interval() -> int:
    return job.interval()


def maybe_scan(**kwargs) -> dict | None:
    """Scan if this process has not for ``interval()`` seconds; the counts if it scanned."""
    _ran, counts = job.run_if_due()
    return counts


reset = job.reset  # scan after the next response (a new worker; tests)
install = job.install  # scan after responses in this process (idempotent)
uninstall = job.uninstall
