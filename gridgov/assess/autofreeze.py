"""Scheduled job: the previous month's assessment frozen once, early in the month.

Celery beat sends it on the 1st at 02:00; the scheduler thread of the embedded default offers
it every ``GRIDGOV_ASSESS_FREEZE_SECONDS``. Either way it freezes only a month that has no
snapshot under the default scheme yet: freezing again would make a new version, which is the
assessor's decision (the freeze page), not the clock's.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.core.periodic import Periodic


def freeze_if_missing(today=None) -> dict:
    """Freeze last month under the default scheme unless a snapshot of it exists."""
    from .actions import default_scheme, freeze_assessment
    from .models import Snapshot
    from .tasks import previous_month

    period = previous_month(today)
    scheme = default_scheme()
    if scheme is None:
        return {"frozen": False, "reason": "no default scheme"}
    if Snapshot.objects.filter(period_kind=period.kind, period_start=period.start,
                               period_end=period.end, scheme=scheme).exists():
        return {"frozen": False, "reason": "already frozen", "month": period.label()}
    snapshot = freeze_assessment(period, scheme, actor=None)
    return {"frozen": True, "month": period.label(), "version": snapshot.version,
            "cases": snapshot.case_count}


job = Periodic("assess_freeze", "GRIDGOV_ASSESS_FREEZE_SECONDS", freeze_if_missing,
               label=_("冻结上月考核结果"), failure="freezing last month's assessment failed")
