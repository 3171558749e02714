"""The scheduler thread: scheduled jobs run without a broker and without traffic.

Each server process starts one (``start()``, from gunicorn's ``post_worker_init``) unless a
broker is configured (then Celery beat schedules the jobs, see ``core.periodic``). Every
``GRIDGOV_SCHEDULER_TICK_SECONDS`` it offers every registered job (``periodic.JOBS``) its
chance; the job's shared row lets one process run it. Between ticks the thread holds no
database connection: each tick closes the ones it opened.
"""

import logging
import threading

from django.conf import settings
from django.db import connections

from .periodic import JOBS

logger = logging.getLogger(__name__)

_thread = None
_stop = threading.Event()


def tick_seconds() -> float:
    return float(getattr(settings, "GRIDGOV_SCHEDULER_TICK_SECONDS", 15) or 15)


def enabled() -> bool:
    """``GRIDGOV_SCHEDULER``: "auto" (on without a broker), "on" or "off"."""
    mode = str(getattr(settings, "GRIDGOV_SCHEDULER", "auto")).lower()
    if mode == "auto":
        return not getattr(settings, "CELERY_BROKER_URL", "")
    return mode == "on"


def tick(runner: str = "scheduler", *, close: bool = True) -> list[str]:
    """Offer every job its chance once; the names of the jobs that ran and succeeded.
    ``close``: close the thread's connections afterwards (not inside a test's transaction)."""
    ran = []
    try:
        for job in list(JOBS.values()):
            try:
                done, _result = job.run_if_due(runner=runner)
            except Exception:  # run_if_due logs its own failures; this is a last guard
                logger.exception("scheduled job %s broke the scheduler's tick", job.name)
                continue
            if done:
                ran.append(job.name)
    finally:
        if close:
            connections.close_all()
    return ran


def _loop() -> None:
    while not _stop.wait(tick_seconds()):
        tick()


def start() -> bool:
    """Start this process's scheduler thread (idempotent); False when it should not run."""
    global _thread
    if not enabled():
        return False
    if _thread is not None and _thread.is_alive():
        return True
    load_jobs()
    _stop.clear()
    _thread = threading.Thread(target=_loop, name="gridgov-scheduler", daemon=True)
    _thread.start()
    return True


def stop(timeout: float = 5) -> None:
    """Stop the thread (tests; a worker shutting down)."""
    global _thread
    _stop.set()
    if _thread is not None:
        _thread.join(timeout)
    _thread = None


def load_jobs() -> dict:
    """Import every module that defines a scheduled job, so ``JOBS`` is complete."""
    from importlib import import_module

    for path in getattr(settings, "GRIDGOV_SCHEDULED_JOBS", ()):
        import_module(path)
    return JOBS
