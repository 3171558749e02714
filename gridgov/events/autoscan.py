"""The server raises deadline alerts itself, without Celery.

The embedded default runs no Celery beat, so without this nothing would ever mark a stage due
soon or overdue: no alert, no notice, no escalation. Each server process (``gridgov serve`` and
``gridgov demo`` install this in ``post_worker_init``, beside ``audit.autoseal``) runs
``tasks.scan_deadlines`` after a response has gone out, at most once every
``GRIDGOV_DEADLINE_SCAN_SECONDS`` (default 300; 0 turns it off). The check on every other
request is a clock reading, no query. With Celery beat running as well nothing is marked twice:
``actions.alerts.mark_deadline`` marks a stage once. A failed scan is logged and retried a
minute later; it never breaks a request.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.signals import request_finished

logger = logging.getLogger(__name__)

RETRY_SECONDS = 60
_lock = threading.Lock()
_state = {"next_due": 0.0}  # time.monotonic() after which this process scans again


def interval() -> int:
    return int(getattr(settings, "GRIDGOV_DEADLINE_SCAN_SECONDS", 0) or 0)


def maybe_scan(**kwargs) -> dict | None:
    """Scan if this process has not for ``interval()`` seconds; the counts if it scanned."""
    seconds = interval()
    if seconds <= 0 or time.monotonic() < _state["next_due"]:
        return None
    if not _lock.acquire(blocking=False):
        return None  # another thread of this worker is scanning
    try:
        now = time.monotonic()
        if now < _state["next_due"]:
            return None
        _state["next_due"] = now + seconds
        from .tasks import scan_deadlines

        try:
            return scan_deadlines()
        except Exception:
            logger.exception("the deadline scan failed; retrying in %s s", RETRY_SECONDS)
            _state["next_due"] = now + min(seconds, RETRY_SECONDS)
            return None
    finally:
        _lock.release()


def reset() -> None:
    """Scan after the next response (a new worker; tests)."""
    _state["next_due"] = 0.0


def install() -> None:
    """Scan after responses in this process (idempotent)."""
    request_finished.connect(maybe_scan, dispatch_uid="gridgov.events.autoscan")


def uninstall() -> None:
    request_finished.disconnect(maybe_scan, dispatch_uid="gridgov.events.autoscan")
