"""The city-volume generator (``gridgov.demo.scale``): a small year on the test database must
verify, look like what the real actions write, and give people the basic data can find."""

import datetime as dt
import zoneinfo
from collections import Counter

import pytest
from stdnum.cn import ric

from gridgov.accounts.models import User
from gridgov.audit.models import AuditRecord
from gridgov.audit.verify import verify_all
from gridgov.basedata.filtersets import PersonFilterSet
from gridgov.basedata.models import ImportBatch, Person
from gridgov.core import personal_data
from gridgov.demo import events as demo_events
from gridgov.demo import scale
from gridgov.demo.scale import events as scale_events
from gridgov.demo.scale import people as scale_people
from gridgov.events import actions
from gridgov.events.models import Event, EventStep
from gridgov.events.rollup_sync import drift
from gridgov.events.trace import timeline
from gridgov.protocols.ckan.params import PUBLIC_Q
from gridgov.sharing.models import Resource

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 15, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
EVENTS, PEOPLE = 300, 500


@pytest.fixture
def year(db):
    """A small generated year (in-process: no worker processes inside a test)."""
    return scale.generate(EVENTS, PEOPLE, seed=7, jobs=1, resources=12, now=NOW,
                          analyze=False)


def _generated():
    return Event.objects.filter(idempotency_key__startswith=scale_events.KEY_PREFIX)


def _real_event():
    """One case driven through the real actions by the demo users, report to closure."""
    users = {u.username: u for u in User.objects.filter(username__in=[
        "clerk_gulou", "shift_gulou", "dispatch_gulou", "handler_zhifa", "gw_gulou",
        "gc_gulou", "leader_gulou"])}
    grid = demo_events._grids(demo_events.GULOU)[0]
    lng, lat = demo_events._point(grid)
    event = actions.report_event(source="grid_patrol", description="人行道上堆放建材",
                                 lng=lng, lat=lat, actor=users["gw_gulou"], category="0102")
    for step in ("register", "file", "dispatch", "claim", "complete", "verify"):
        event = demo_events._run(event, step, users, demo_events.GULOU, {})
    return event


def _records(events):
    keys = [f"events.event:{pk}" for pk in events.values_list("pk", flat=True)]
    return AuditRecord.objects.filter(chain_key__in=keys)


def test_a_generated_year_verifies_and_keeps_the_rollup(year):
    assert year["events"] == EVENTS and year["people"] == PEOPLE
    assert _generated().count() == EVENTS
    result = verify_all()
    assert result.ok, result.broken
    assert drift() == []
    states = Counter(_generated().values_list("state", flat=True))
    assert states["closed"] / EVENTS > 0.85
    # Ids follow the report time, as on a live install.
    ids = list(_generated().order_by("created_at").values_list("id", flat=True))
    assert sum(a < b for a, b in zip(ids, ids[1:], strict=False)) / len(ids) > 0.95


def test_steps_and_records_have_the_shapes_the_actions_write(year):
    real = _real_event()
    real_records = list(AuditRecord.objects.filter(chain_key=f"events.event:{real.pk}")
                        .order_by("seq"))
    real_steps = list(EventStep.objects.filter(event=real).order_by("seq"))
    generated = _generated()
    records = _records(generated)
    steps = EventStep.objects.filter(event__in=generated)
    # Same action names, object type and step kinds (from -> to) as the real loop.
    names = set(records.values_list("action", flat=True))
    assert {r.action for r in real_records} <= names
    assert set(records.values_list("object_type", flat=True)) == {"events.event"}
    kinds = set(steps.values_list("action", "from_state", "to_state"))
    assert {(s.action, s.from_state, s.to_state) for s in real_steps} <= kinds
    # The changes name the same fields (plus the import's ``history`` entry).
    by_action = {}
    for action, changes in records.values_list("action", "changes"):
        by_action.setdefault(action, set()).update(changes)
    for rec in real_records:
        extra = by_action[rec.action] - set(rec.changes) - {"history"}
        assert not extra - {"reporter_name", "camera_code", "external_id", "assignee",
                            "overdue_reason", "handle_deadline", "stage_deadline",
                            "deadline_note", "deadline_alert", "department"}, rec.action
    # Each step indexes its own record, and the timeline reads consistently.
    event = generated.filter(state="closed").order_by("id").first()
    entries = timeline(event)
    assert entries and all(entry.consistent for entry in entries)
    assert event.version == len(entries)
    assert (EventStep.objects.filter(event__in=generated).count() == records.count())


def test_people_are_valid_and_found_by_the_basic_data_filters(year, leader, grid_worker):
    people = Person.objects.filter(import_batch__isnull=False, source="import")
    assert people.count() == PEOPLE
    for person in people.only("id_number_enc", "id_hash", "id_masked", "sex", "birth_date"):
        number = personal_data.decrypt(person.id_number_enc, "id_number")
        assert ric.is_valid(number)
        assert person.id_hash == personal_data.lookup_hash(number)
        assert person.id_masked == personal_data.mask_id_number(number)
        assert person.sex == ("M" if int(number[16]) % 2 else "F")
    # Spread over the district's streets (more in the old city).
    assert len({code[:9] for code in people.values_list("area_code", flat=True)}) >= 15
    # Findable as the street's leader: by a name fragment, an address fragment, the ID.
    scoped = Person.objects.restrict(leader, "view")
    sample = scoped.filter(import_batch__isnull=False).order_by("id").first()
    assert sample is not None
    for q in (sample.name[-2:], sample.address[9:13],
              personal_data.decrypt(sample.id_number_enc, "id_number")):
        found = PersonFilterSet({"q": q}, queryset=scoped, special=True).qs
        assert found.filter(pk=sample.pk).exists(), q
    # Households share an address and point at their head.
    member = people.exclude(relation_to_head="head").first()
    assert member.household_head.address == member.address
    # One import batch per street, each with its audit record.
    batches = ImportBatch.objects.filter(pk__in=people.values("import_batch"))
    assert sum(b.created_rows for b in batches) == PEOPLE
    assert AuditRecord.objects.filter(action="basedata.import.people").count() >= len(batches)


def test_the_catalog_is_filled_up_to_the_number_anonymous_clients_list(year):
    assert Resource.objects.filter(PUBLIC_Q, is_published=True).count() >= 12


def test_a_second_run_on_the_same_database_is_refused(year):
    with pytest.raises(RuntimeError):
        scale.generate(10, 0, jobs=1, resources=0, now=NOW, analyze=False)


def test_the_draws_are_deterministic():
    assert scale_people.id_bodies(200, 3) == scale_people.id_bodies(200, 3)
    assert scale_people.id_bodies(200, 3) != scale_people.id_bodies(200, 4)
    assert len({body for body, _f in scale_people.id_bodies(2000, 3)}) == 2000
