"""The demo: a year of meetings for the party demo's organisations, some organisations
overdue; a second run writes nothing."""

import pytest

from gridgov.party_meetings.models import Meeting, MeetingAttendance
from gridgov.party_meetings.overdue import due_rows

from .support import make_member, make_org

pytestmark = pytest.mark.django_db


def test_demo_meetings(party_gulou):
    from gridgov.areas.models import Area
    from gridgov.demo import party_meetings
    from gridgov.party.models import PartyOrganisation

    if not PartyOrganisation.objects.filter(kind="branch").exists():
        # Without the party demo (loaded by load_demo once wired): a branch per Gulou grid.
        for n, grid in enumerate(Area.objects.filter(level="grid",
                                                     code__startswith="330203005")[:14]):
            org = make_org(grid, f"演示网格党支部{n}")
            for k in range(n % 4):
                make_member(org, f"演示党员{n}-{k}")
    Meeting.objects.all().delete()
    result = party_meetings.load()
    assert result["meetings"] > 0 and result["overdue"] > 0
    assert Meeting.objects.filter(state="held").exists()
    assert Meeting.objects.filter(state="planned").exists()
    assert MeetingAttendance.objects.filter(status="present").exists()
    late = {r.organisation.pk for r in due_rows(None)}
    assert 0 < len(late) < PartyOrganisation.objects.filter(is_active=True).count()
    assert party_meetings.load() == {"meetings": 0}
