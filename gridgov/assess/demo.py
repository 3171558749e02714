"""The demo's frozen assessment: the last complete month of the demo history (hook for
``gridgov.demo``: ``from gridgov.assess.demo import freeze_demo_month; freeze_demo_month()``)."""

from .models import Snapshot
from .tasks import previous_month


def freeze_demo_month(stdout=None) -> dict:
    """Freeze the previous month under the default scheme, once (idempotent: a month that
    already has a snapshot is left as it is)."""
    from .actions import default_scheme, freeze_assessment

    period = previous_month()
    scheme = default_scheme()
    if scheme is None or Snapshot.objects.filter(period_kind=period.kind,
                                                 period_start=period.start,
                                                 scheme=scheme).exists():
        return {"assessment_frozen": False}
    snapshot = freeze_assessment(period, scheme, actor=None)
    if stdout is not None:
        stdout.write(f"效能考核 assessment {period.label()}: {snapshot.case_count} cases\n")
    return {"assessment_frozen": True, "assessment_cases": snapshot.case_count}
