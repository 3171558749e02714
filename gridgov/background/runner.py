"""Running background jobs: a thread of the server process by default, a Celery worker when
a broker is configured; either way the job's row decides who runs it.

- ``dispatch(pk)`` (on commit of the submission): hand the job to Celery, or start a thread.
- ``run(pk)``: take the job (one conditional UPDATE from queued to running), run its kind's
  function with a ``Progress`` reporter and a heartbeat, and store the outcome.
- ``resume()`` (the scheduled job ``background_resume``): a running job whose heartbeat is
  older than ``STALE`` lost its runner (the server restarted): it is queued again, up to
  ``MAX_ATTEMPTS`` runs, and queued jobs nobody took are dispatched again.
"""

import datetime as dt
import logging
import threading
import time
import traceback

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.db.models import F
from django.utils import timezone

from gridgov.core.periodic import holder

from . import registry
from .choices import JobStatus
from .models import BackgroundJob

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
STALE = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 3
# Progress is written at most this often (a job reporting every row costs no more).
PROGRESS_EVERY = 0.5


def mode() -> str:
    """"celery" with a broker, "thread" without; ``GRIDGOV_BACKGROUND_MODE`` forces one
    ("inline" runs the job in the caller, for tests and commands)."""
    forced = getattr(settings, "GRIDGOV_BACKGROUND_MODE", "")
    if forced:
        return forced
    return "celery" if getattr(settings, "CELERY_BROKER_URL", "") else "thread"


class Progress:
    """What a job's function reports through: ``progress(done, total=None, message="")``."""

    def __init__(self, pk: int):
        self.pk = pk
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "",
                 *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY:
            return
        self._last = now
        changes = {"done": max(0, int(done)), "heartbeat_at": timezone.now()}
        if total is not None:
            changes["total"] = max(0, int(total))
        if message:
            changes["message"] = str(message)[:200]
        BackgroundJob.objects.filter(pk=self.pk).update(**changes)
        self.check()

    def check(self) -> None:
        """Stop (``Cancelled``) if the person asked to, writing nothing: for work inside its
        own write transaction, where a progress write would lock the job's row (the cancel
        button would wait for the work) and stay invisible until the commit anyway."""
        if BackgroundJob.objects.filter(pk=self.pk, cancel_requested=True).exists():
            raise registry.Cancelled()


def _beat(pk: int, stop: threading.Event) -> None:
    """Keep the heartbeat going while the work runs (it may not report for a while)."""
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                BackgroundJob.objects.filter(pk=pk, status=JobStatus.RUNNING).update(
                    heartbeat_at=timezone.now())
            except DatabaseError:
                # SQLite: the job's own write transaction (an import) holds the database's
                # write lock; beat again next time rather than stop beating for good.
                logger.warning("heartbeat of background job %s failed", pk, exc_info=True)
    finally:
        connections.close_all()


def _claim(pk: int) -> bool:
    now = timezone.now()
    return bool(BackgroundJob.objects.filter(pk=pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, runner=holder(),
        message="已开始运行", attempts=F("attempts") + 1))


def _finish(pk: int, status: str, *, result=None, error: str = "") -> None:
    BackgroundJob.objects.filter(pk=pk, runner=holder()).update(
        status=status, result=result, error=error[-4000:], finished_at=timezone.now(),
        heartbeat_at=timezone.now())


def run(pk: int) -> str | None:
    """Run the job if it is queued; its final status, or None when another runner has it."""
    if not _claim(pk):
        return None
    job = BackgroundJob.objects.select_related("created_by").get(pk=pk)
    kind = registry.get(job.kind)
    if kind is None:
        _finish(pk, JobStatus.FAILED, error=f"unknown kind {job.kind}")
        return JobStatus.FAILED
    stop = threading.Event()
    beat = None
    if mode() != "inline":
        beat = threading.Thread(target=_beat, args=(pk, stop), daemon=True,
                                name=f"gridgov-beat-{pk}")
        beat.start()
    try:
        result = kind.fn(Progress(pk), job.created_by, **(job.params or {}))
    except registry.Cancelled:
        _finish(pk, JobStatus.CANCELLED)
        return JobStatus.CANCELLED
    except Exception:
        logger.exception("background job %s (%s) failed", pk, job.kind)
        _finish(pk, JobStatus.FAILED, error=traceback.format_exc())
        return JobStatus.FAILED
    finally:
        stop.set()
        if beat is not None:
            beat.join(HEARTBEAT_SECONDS + 1)
    _finish(pk, JobStatus.DONE, result=result)
    return JobStatus.DONE


def _thread_main(pk: int) -> None:
    close_old_connections()
    try:
        run(pk)
    finally:
        connections.close_all()


def dispatch(pk: int) -> None:
    """Start the job by the configured means (after the submission committed)."""
    how = mode()
    if how == "inline":
        run(pk)
    elif how == "celery":
        # By name: the task module imports this one.
        from celery import current_app

        current_app.send_task("gridgov.background.tasks.run_background_job", args=[pk])
    else:
        threading.Thread(target=_thread_main, args=(pk,), daemon=True,
                         name=f"gridgov-job-{pk}").start()


def _live_runners() -> list[str]:
    """The ``runner`` names of the job threads alive in this process (``holder()`` of each)."""
    prefix = holder().rsplit(":", 1)[0]
    return [f"{prefix}:{t.name}"[:120] for t in threading.enumerate()
            if t.name.startswith("gridgov-job-")]


def resume(now=None) -> dict:
    """Queue again the running jobs whose runner stopped beating, fail those that ran
    ``MAX_ATTEMPTS`` times, and dispatch queued jobs nobody took for a while."""
    now = now or timezone.now()
    stale = BackgroundJob.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE)
    # A job run by a thread of this very process that is still alive has not lost its runner,
    # only its heartbeat (SQLite's write lock held by a long import): never run it twice.
    stale = stale.exclude(runner__in=_live_runners())
    failed = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=JobStatus.FAILED, finished_at=now,
        error="运行中断次数过多(服务多次重启),作业已停止。")
    requeued = stale.update(status=JobStatus.QUEUED, runner="", message="服务重启后重新排队")
    waiting = list(BackgroundJob.objects.filter(
        status=JobStatus.QUEUED, created_at__lt=now - dt.timedelta(seconds=5),
    ).filter(heartbeat_at__isnull=True).values_list("pk", flat=True)[:20])
    waiting += list(BackgroundJob.objects.filter(
        status=JobStatus.QUEUED, heartbeat_at__lt=now - STALE).values_list("pk", flat=True)[:20])
    for pk in dict.fromkeys(waiting):
        dispatch(pk)
    return {"requeued": requeued, "failed": failed, "dispatched": len(set(waiting))}
