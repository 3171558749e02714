"""Periodic job: keep the needs figures up to date (incremental; see ``rollup``)."""

from celery import shared_task

# Per source and run: a backlog (the first run on a large district) is read over several runs.
MAX_BATCHES = 50


@shared_task(name="gridgov.needs.tasks.refresh_needs")
def refresh_needs() -> dict:
    from .actions import refresh_needs as refresh

    return refresh(actor=None, max_batches=MAX_BATCHES)
