"""The server seals the audit log itself, without Celery.

Each server process (gunicorn worker, ``gridgov serve`` and ``gridgov demo`` install this in
``post_worker_init``) runs ``seal.seal_now()`` after a response has gone out, at most once every
``GRIDGOV_AUDIT_SEAL_SECONDS`` (default 900; 0 turns it off). The check on every other request
is one clock reading against a number in memory, no query; the seal itself runs in the
``request_finished`` signal, after the response's last byte is written, and reads only the
records since the last checkpoint.

Several workers may seal at the same moment: the unique constraints of anchors and checkpoints
let one insert win and the others start again from it (``seal.checkpoint_open_day``). A seal
that fails is logged and retried a minute later; it never breaks a request. The timing, the
one-thread-at-a-time lock and the retry are ``gridgov.core.periodic.Periodic``'s.
"""

from gridgov.core.periodic import Periodic


def _seal():
    from .seal import seal_now

    return seal_now()


job = Periodic("audit_seal", "GRIDGOV_AUDIT_SEAL_SECONDS", _seal,
               failure="sealing the audit log failed")


def interval() -> int:
    return job.interval()


def maybe_seal(**kwargs) -> bool:
    """Seal if this process has not done so for ``interval()`` seconds; True if it sealed."""
    ran, _result = job.run_if_due()
    return ran


reset = job.reset  # seal after the next response (a new worker; tests)
install = job.install  # seal after responses in this process (idempotent)
uninstall = job.uninstall
