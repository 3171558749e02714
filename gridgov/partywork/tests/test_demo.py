"""The demo loader: links for the demo members, a year of contacts (some lapsed), activities
with hours; deterministic and idempotent."""

import pytest

from gridgov.partywork.households import due_links
from gridgov.partywork.models import ContactLink, ContactLog, VolunteerActivity, VolunteerSignup

pytestmark = pytest.mark.django_db


@pytest.fixture
def party_demo(db):
    party = pytest.importorskip("gridgov.demo.party")
    party.load()


def test_demo_loads_once(party_demo):
    from gridgov.demo import partywork

    if ContactLink.objects.exists():      # already wired into load_demo
        assert partywork.load() == {"links": 0}
        return
    counts = partywork.load()
    assert counts["links"] > 0 and counts["contacts"] > counts["links"]
    assert ContactLink.objects.filter(is_active=True).count() == counts["links"]
    assert due_links(ContactLink.objects.all()).exists()
    assert ContactLog.objects.count() == counts["contacts"]
    assert VolunteerActivity.objects.filter(state="finished").exists()
    assert VolunteerActivity.objects.filter(state="open").exists()
    assert VolunteerSignup.objects.filter(status="attended", hours__gt=0).exists()
    # A second run writes nothing.
    assert partywork.load() == {"links": 0}
    assert ContactLog.objects.count() == counts["contacts"]
