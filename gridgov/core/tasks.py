"""Periodic core jobs (see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from . import throttle
from .idempotency import purge_expired


@shared_task(name="gridgov.core.tasks.purge_idempotency_records")
def purge_idempotency_records():
    """Delete idempotency records older than 24 hours; returns how many went."""
    return purge_expired()


@shared_task(name="gridgov.core.tasks.purge_rate_counters")
def purge_rate_counters():
    """Delete the database rows of ended throttle windows; returns how many went."""
    return throttle.purge_expired()


@shared_task(name="gridgov.core.tasks.run_job")
def run_job(name: str):
    """Run one scheduled job (``core.periodic``) now, as Celery beat schedules it: under the
    job's shared lock, recorded on the jobs page. An unknown name is an error in the beat
    schedule, raised so the worker's log shows it."""
    from .scheduler import load_jobs

    jobs = load_jobs()
    if name not in jobs:
        raise KeyError(f"no scheduled job named {name!r} (settings.GRIDGOV_SCHEDULED_JOBS)")
    ran, result, error = jobs[name].run_now(runner="beat")
    if error:
        raise RuntimeError(f"scheduled job {name} failed:\n{error}")
    return {"ran": ran, "result": result if ran else None}
