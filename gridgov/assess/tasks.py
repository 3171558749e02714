"""The monthly assessment: freeze the previous month under the default scheme (Celery beat:
``{"task": "gridgov.assess.tasks.freeze_previous_month", "schedule": crontab(0, 2,
day_of_month=1)}``; running it again makes a new version, never edits the old one)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from gridgov.stats.periods import MONTH, Period


def previous_month(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period.containing(MONTH, today.replace(day=1) - dt.timedelta(days=1))


@shared_task(name="gridgov.assess.tasks.freeze_previous_month")
def freeze_previous_month(today: str | None = None) -> dict:
    """Freeze last month (``today``: ISO date, for tests) under the default scheme."""
    from .actions import default_scheme, freeze_assessment

    period = previous_month(dt.date.fromisoformat(today) if today else None)
    scheme = default_scheme()
    if scheme is None:
        return {"frozen": False, "reason": "no default scheme"}
    snapshot = freeze_assessment(period, scheme, actor=None)
    return {"frozen": True, "snapshot": snapshot.pk, "month": period.label(),
            "version": snapshot.version, "cases": snapshot.case_count}
