"""The scheduled job that seals the audit log (``audit_seal``), without Celery.

``seal.seal_now()`` anchors closed days and checkpoints today at most every
``GRIDGOV_AUDIT_SEAL_SECONDS`` (default 900; 0 turns it off), run by the server's scheduler
thread or by Celery beat (``gridgov.core.periodic``: once across processes, a failure logged
and retried a minute later). It reads only the records since the last checkpoint. Should two
runs ever meet, the unique constraints of anchors and checkpoints let one insert win and the
other start again from it (``seal.checkpoint_open_day``).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.core.periodic import Periodic


def _seal():
    from .seal import seal_now

    return seal_now()


job = Periodic("audit_seal", "GRIDGOV_AUDIT_SEAL_SECONDS", _seal,
               failure="sealing the audit log failed",
               label=_("封存审计日志"))


def interval() -> int:
    return job.interval()


def maybe_seal(**kwargs) -> bool:
    """Seal if this process has not done so for ``interval()`` seconds; True if it sealed."""
    ran, _result = job.run_if_due()
    return ran


reset = job.reset  # seal after the next response (a new worker; tests)
install = job.install  # seal after responses in this process (idempotent)
uninstall = job.uninstall
