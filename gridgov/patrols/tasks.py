"""Celery task of the patrols app (beat: every 15 minutes; each server process also runs it
by itself, ``autoend``)."""

from celery import shared_task


@shared_task(name="gridgov.patrols.tasks.end_stale_patrols")
def end_stale_patrols() -> int:
    """End patrols left active for more than 12 hours at their last point."""
    from .actions import end_stale_patrols as end

    return end()
