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
