"""Work a server process does by itself after a response, at most every N seconds.

Without Celery beat, each server process (``gridgov serve`` and ``gridgov demo`` install the
jobs in gunicorn's ``post_worker_init``) runs a job such as sealing the audit log
(``audit.autoseal``) or the deadline scan (``events.autoscan``) in the ``request_finished``
signal, after the response's last byte has gone out. A :class:`Periodic` is one such job:

- at most once every ``interval()`` seconds per process, read from a setting at each check
  (0 or unset turns the job off); the check on every other request is one clock reading
  against a number in memory, no query;
- one thread at a time: a threaded worker's other threads skip the job while it runs;
- a job that raises is logged and retried after ``retry_seconds`` (a minute), never more
  often than its interval; the request it followed is never broken by it.

Tests that send ``request_finished`` themselves should do it the way Django's test client
does, without ``close_old_connections`` (see ``gridgov/core/tests/periodic_support.py``):
inside a test's transaction that receiver would close PostgreSQL's connection under the job.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.signals import request_finished

logger = logging.getLogger(__name__)

RETRY_SECONDS = 60


class Periodic:
    """``fn`` run after a response, at most every ``settings.<interval_setting>`` seconds.

    ``fn`` takes no argument; ``run_if_due()`` returns ``(True, result)`` when it ran and
    succeeded, ``(False, None)`` otherwise. ``failure`` is the log message of a failed run.
    """

    def __init__(self, name: str, interval_setting: str, fn, *, failure: str = "",
                 retry_seconds: int = RETRY_SECONDS):
        self.name = name
        self.interval_setting = interval_setting
        self.fn = fn
        self.failure = failure or f"{name} failed"
        self.retry_seconds = retry_seconds
        self.next_due = 0.0  # time.monotonic() after which the job runs again; 0: at once
        self._lock = threading.Lock()

    def interval(self) -> int:
        return int(getattr(settings, self.interval_setting, 0) or 0)

    def run_if_due(self) -> tuple[bool, object]:
        """Run the job if it is due and no other thread of this process is running it."""
        seconds = self.interval()
        if seconds <= 0 or time.monotonic() < self.next_due:
            return False, None
        if not self._lock.acquire(blocking=False):
            return False, None  # another thread of this process is running it
        try:
            now = time.monotonic()
            if now < self.next_due:
                return False, None  # it ran while this thread waited for the check
            self.next_due = now + seconds
            try:
                return True, self.fn()
            except Exception:
                # The next request_started closes a connection the failure left broken.
                retry = min(seconds, self.retry_seconds)
                logger.exception("%s; retrying in %s s", self.failure, retry)
                self.next_due = now + retry
                return False, None
        finally:
            self._lock.release()

    def receiver(self, **kwargs) -> None:
        """The ``request_finished`` receiver."""
        self.run_if_due()

    @property
    def dispatch_uid(self) -> str:
        return f"gridgov.periodic.{self.name}"

    def reset(self) -> None:
        """Run after the next response (a new worker; tests)."""
        self.next_due = 0.0

    def install(self) -> None:
        """Run after responses in this process (idempotent)."""
        request_finished.connect(self.receiver, dispatch_uid=self.dispatch_uid)

    def uninstall(self) -> None:
        request_finished.disconnect(self.receiver, dispatch_uid=self.dispatch_uid)
