"""The server seals the audit log itself, without Celery.

Each server process (gunicorn worker, ``gridgov serve`` and ``gridgov demo`` install this in
``post_worker_init``) runs ``seal.seal_now()`` after a response has gone out, at most once every
``GRIDGOV_AUDIT_SEAL_SECONDS`` (default 900; 0 turns it off). The check on every other request
is one clock reading against a number in memory, no query; the seal itself runs in the
``request_finished`` signal, after the response's last byte is written, and reads only the
records since the last checkpoint.

Several workers may seal at the same moment: the unique constraints of anchors and checkpoints
let one insert win and the others start again from it (``seal.checkpoint_open_day``). A seal
that fails is logged and retried a minute later; it never breaks a request.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.signals import request_finished

logger = logging.getLogger(__name__)

RETRY_SECONDS = 60
_lock = threading.Lock()
_next_due = 0.0  # time.monotonic() after which this process seals again; 0: on first request


def interval() -> int:
    return int(getattr(settings, "GRIDGOV_AUDIT_SEAL_SECONDS", 0) or 0)


def maybe_seal(**kwargs) -> bool:
    """Seal if this process has not done so for ``interval()`` seconds; True if it sealed."""
    global _next_due
    seconds = interval()
    if seconds <= 0 or time.monotonic() < _next_due:
        return False
    if not _lock.acquire(blocking=False):
        return False  # another thread of this worker is sealing
    try:
        now = time.monotonic()
        if now < _next_due:
            return False
        _next_due = now + seconds
        from .seal import seal_now

        try:
            seal_now()
        except Exception:
            # The next request_started closes a connection the failure left broken.
            logger.exception("sealing the audit log failed; retrying in %s s", RETRY_SECONDS)
            _next_due = now + min(seconds, RETRY_SECONDS)
            return False
        return True
    finally:
        _lock.release()


def reset() -> None:
    """Seal on the next request (a new worker; tests)."""
    global _next_due
    _next_due = 0.0


def install() -> None:
    """Seal after responses in this process (idempotent)."""
    request_finished.connect(maybe_seal, dispatch_uid="gridgov.audit.autoseal")


def uninstall() -> None:
    request_finished.disconnect(maybe_seal, dispatch_uid="gridgov.audit.autoseal")
