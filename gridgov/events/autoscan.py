"""The server raises deadline alerts itself, without Celery.

The embedded default runs no Celery beat, so without this nothing would ever mark a stage due
soon or overdue: no alert, no notice, no escalation. Each server process (``gridgov serve`` and
``gridgov demo`` install this in ``post_worker_init``, beside ``audit.autoseal``) runs
``tasks.scan_deadlines`` after a response has gone out, at most once every
``GRIDGOV_DEADLINE_SCAN_SECONDS`` (default 300; 0 turns it off). The check on every other
request is a clock reading, no query. With Celery beat running as well nothing is marked twice:
``actions.alerts.mark_deadline`` marks a stage once. A failed scan is logged and retried a
minute later; it never breaks a request. The timing, the one-thread-at-a-time lock and the
retry are ``gridgov.core.periodic.Periodic``'s (as ``audit.autoseal``'s).
"""

from gridgov.core.periodic import Periodic


def _scan():
    from .tasks import scan_deadlines

    return scan_deadlines()


job = Periodic("deadline_scan", "GRIDGOV_DEADLINE_SCAN_SECONDS", _scan,
               failure="the deadline scan failed")


def interval() -> int:
    return job.interval()


def maybe_scan(**kwargs) -> dict | None:
    """Scan if this process has not for ``interval()`` seconds; the counts if it scanned."""
    _ran, counts = job.run_if_due()
    return counts


reset = job.reset  # scan after the next response (a new worker; tests)
install = job.install  # scan after responses in this process (idempotent)
uninstall = job.uninstall
