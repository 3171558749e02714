"""The Celery task that runs a background job on a worker (with a broker configured)."""

from celery import shared_task


@shared_task(name="gridgov.background.tasks.run_background_job")
def run_background_job(pk: int):
    from .runner import run

    return run(pk)
