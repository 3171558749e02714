"""Periodic audit jobs (see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task


@shared_task(name="gridgov.audit.tasks.anchor_closed_days")
def anchor_closed_days():
    """Seal every closed day that has records and no anchor yet; returns the sealed days."""
    from .anchor import anchor_closed_days as seal

    return [anchor.day.isoformat() for anchor in seal()]


@shared_task(name="gridgov.audit.tasks.purge_expired")
def purge_expired():
    """Remove whole anchored days older than AUDIT_RETENTION_DAYS (never below 180)."""
    from .actions import purge_expired as purge

    plan = purge()
    return {"cut_day": plan.cut_day.isoformat() if plan.cut_day else None,
            "records": plan.records, "anchors": plan.anchors}
