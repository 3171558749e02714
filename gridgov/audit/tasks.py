"""Periodic audit jobs (see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task


@shared_task(name="gridgov.audit.tasks.anchor_closed_days")
def anchor_closed_days():
    """Seal every closed day that has records and no anchor yet, then checkpoint the open day
    (what the server also does by itself, gridgov.audit.autoseal); returns what it sealed."""
    from .seal import seal_now

    anchors, checkpoint = seal_now()
    sealed = [anchor.day.isoformat() for anchor in anchors]
    if checkpoint is not None:
        sealed.append(f"checkpoint {checkpoint.day.isoformat()} <= #{checkpoint.upto_id}")
    return sealed


@shared_task(name="gridgov.audit.tasks.purge_expired")
def purge_expired():
    """Remove whole anchored days older than AUDIT_RETENTION_DAYS (never below 180)."""
    from .actions import purge_expired as purge

    plan = purge()
    return {"cut_day": plan.cut_day.isoformat() if plan.cut_day else None,
            "records": plan.records, "anchors": plan.anchors}
