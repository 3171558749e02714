"""Scheduled jobs the platform runs by itself, without a broker, once across processes.

A :class:`Periodic` is one job (sealing the audit log, the deadline scan, the nightly rules
...): ``fn`` run at most once every ``interval()`` seconds (a setting read at each check; 0 or
unset turns the job off). Who runs it:

- without a broker (the embedded default), every server process runs a scheduler thread
  (``core.scheduler``, started in gunicorn's ``post_worker_init`` by ``gridgov serve`` and
  ``gridgov demo``) that offers each job a chance every few seconds; jobs may also be
  installed to run after a response (``install()``, the ``request_finished`` signal);
- with a broker, Celery beat sends ``gridgov.core.tasks.run_job`` with the job's name on the
  job's schedule (``CELERY_BEAT_SCHEDULE``) and a worker runs it here.

Whichever runner finds the job due, one runs it: the job's ``core.JobState`` row is the lock.
A run starts only after one conditional UPDATE moved the row's ``next_due_at`` past now and took
its lease (``GRIDGOV_JOB_LEASE_SECONDS``, so a process that died mid-run frees it); the row then
keeps the last run's start, duration, result or error for the administrators' page. Inside a
process the check is first one clock reading against a number in memory (no query), and one
thread at a time: a threaded worker's other threads skip the job while it runs. A job that
raises is logged and offered again after ``retry_seconds`` (a minute), never later than its
interval; the request or the scheduler it ran in is never broken by it.

Tests that send ``request_finished`` themselves should do it the way Django's test client
does, without ``close_old_connections`` (see ``gridgov/core/tests/periodic_support.py``):
inside a test's transaction that receiver would close PostgreSQL's connection under the job.
"""

import datetime as dt
import logging
import os
import socket
import threading
import time
import traceback

from django.conf import settings
from django.core.signals import request_finished
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

RETRY_SECONDS = 60
# Two processes' clocks and checks a little apart still see a job due at its time.
DUE_SLACK = dt.timedelta(seconds=1)
RESULT_CHARS = 500
ERROR_CHARS = 4000

# Every job by name (``register``): the scheduler, the beat task and the page read it.
JOBS: dict[str, "Periodic"] = {}


def wall_now() -> dt.datetime:
    """The time shared rows are compared with (a function, so tests can move it)."""
    return timezone.now()


def holder() -> str:
    """Who holds a lease: host, process and thread, for the page and the logs."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:120]


def lease_seconds() -> int:
    return int(getattr(settings, "GRIDGOV_JOB_LEASE_SECONDS", 1800) or 1800)


def summary(value) -> str:
    """A short text of what a run returned, for the page."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= RESULT_CHARS else text[:RESULT_CHARS - 1] + "…"


class Periodic:
    """``fn`` run at most every ``settings.<interval_setting>`` seconds, once across processes.

    ``fn`` takes no argument; ``run_if_due()`` returns ``(True, result)`` when it ran and
    succeeded, ``(False, None)`` otherwise. ``failure`` is the log message of a failed run,
    ``label`` its name on the administrators' page.
    """

    def __init__(self, name: str, interval_setting: str, fn, *, failure: str = "",
                 retry_seconds: int = RETRY_SECONDS, label: str = ""):
        self.name = name
        self.interval_setting = interval_setting
        self.fn = fn
        self.failure = failure or f"{name} failed"
        self.retry_seconds = retry_seconds
        self.label = label or name
        self.next_due = 0.0  # time.monotonic() after which this process checks again; 0: now
        self._lock = threading.Lock()
        JOBS[name] = self

    def interval(self) -> int:
        return int(getattr(settings, self.interval_setting, 0) or 0)

    # --- the shared row ------------------------------------------------------------------------

    def _claim(self, seconds: int, now, *, due_only: bool = True) -> bool:
        """Take the job for one run if no other process holds it (and, with ``due_only``, if
        it is due): one conditional UPDATE, committed at once outside a transaction."""
        from .models import JobState

        cond = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
        if due_only:
            cond &= Q(next_due_at__isnull=True) | Q(next_due_at__lte=now + DUE_SLACK)
        changes = {"next_due_at": now + dt.timedelta(seconds=seconds),
                   "lease_until": now + dt.timedelta(seconds=lease_seconds()),
                   "lease_holder": holder(), "last_started_at": now}
        rows = JobState.objects.filter(Q(name=self.name) & cond)
        if rows.update(**changes):
            return True
        if JobState.objects.filter(name=self.name).exists():
            return False
        JobState.objects.bulk_create([JobState(name=self.name)], ignore_conflicts=True)
        return bool(rows.update(**changes))

    def _finish(self, started, *, ok: bool, result, error: str, runner: str,
                retry_at=None) -> None:
        from .models import JobState

        ended = wall_now()
        changes = {"lease_until": None, "last_finished_at": ended,
                   "last_duration_ms": max(0, int((ended - started).total_seconds() * 1000)),
                   "last_ok": ok, "last_result": summary(result) if ok else "",
                   "last_error": error[-ERROR_CHARS:], "last_runner": runner,
                   "runs": F("runs") + 1, "failures": F("failures") + (0 if ok else 1)}
        if retry_at is not None:
            changes["next_due_at"] = retry_at
        JobState.objects.filter(name=self.name, lease_holder=holder()).update(**changes)

    # --- running -------------------------------------------------------------------------------

    def _run(self, runner: str, seconds: int, *, due_only: bool) -> tuple[bool, object, str]:
        """Claim and run once; ``(ran_and_succeeded, result, error)``."""
        mono = time.monotonic()
        started = wall_now()
        try:
            if not self._claim(seconds, started, due_only=due_only):
                return False, None, ""
        except Exception:
            # The database is away: this process asks again after the retry delay.
            logger.exception("%s: could not check whether it is due", self.name)
            self.next_due = mono + min(seconds, self.retry_seconds)
            return False, None, ""
        try:
            result = self.fn()
        except Exception:
            retry = min(seconds, self.retry_seconds)
            logger.exception("%s; retrying in %s s", self.failure, retry)
            self.next_due = mono + retry
            error = traceback.format_exc()
            self._safely_finish(started, ok=False, result=None, error=error, runner=runner,
                                retry_at=started + dt.timedelta(seconds=retry))
            return False, None, error
        self._safely_finish(started, ok=True, result=result, error="", runner=runner)
        return True, result, ""

    def _safely_finish(self, started, **kwargs) -> None:
        try:
            self._finish(started, **kwargs)
        except Exception:
            # The run's own work stands; the lease lapses by itself.
            logger.exception("%s: could not record the run", self.name)

    def run_if_due(self, runner: str = "server") -> tuple[bool, object]:
        """Run the job if it is due here and across processes and no other thread or process
        is running it."""
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
            ran, result, _error = self._run(runner, seconds, due_only=True)
            return (True, result) if ran else (False, None)
        finally:
            self._lock.release()

    def run_now(self, runner: str = "manual") -> tuple[bool, object, str]:
        """Run the job now, due or not, unless another process holds it:
        ``(ran_and_succeeded, result, error)`` (``error``: the traceback of a failed run;
        neither result nor error when another process held the job). Celery beat's task and
        the administrators' "run now" come here; the job's next run is an interval later."""
        seconds = self.interval() or 3600
        with self._lock:
            ran, result, error = self._run(runner, seconds, due_only=False)
            if ran:
                self.next_due = time.monotonic() + seconds
            return ran, result, error

    def receiver(self, **kwargs) -> None:
        """The ``request_finished`` receiver."""
        self.run_if_due()

    @property
    def dispatch_uid(self) -> str:
        return f"gridgov.periodic.{self.name}"

    def reset(self) -> None:
        """Check again at the next chance in this process (a new worker; tests). The shared
        row still decides whether it is due."""
        self.next_due = 0.0

    def make_due(self) -> None:
        """Due again at once, here and in every process (tests; "run again" after the
        administrator changed what the job works on)."""
        from .models import JobState

        self.reset()
        JobState.objects.filter(name=self.name).update(next_due_at=None)

    def install(self) -> None:
        """Run after responses in this process (idempotent)."""
        request_finished.connect(self.receiver, dispatch_uid=self.dispatch_uid)

    def uninstall(self) -> None:
        request_finished.disconnect(self.receiver, dispatch_uid=self.dispatch_uid)

