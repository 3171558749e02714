"""Celery task of the rule engine (beat: nightly; each server process also runs it by itself
once a day, ``autorun``)."""

from celery import shared_task


@shared_task(name="gridgov.rules.tasks.run_rules")
def run_rules() -> dict | None:
    """Run every active rule for today, once a day (nothing when today's run is done)."""
    from .actions import run_nightly

    run = run_nightly()
    if run is None:
        return None
    return {"run": run.pk, "fired": run.fired, "skipped": run.skipped, "errors": run.errors,
            "duration_ms": run.duration_ms}
