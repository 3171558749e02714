"""Freezing: stored inputs, reproducible, unchanged by later events, new versions; the task
and the command."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F

from gridgov.assess import compute
from gridgov.assess.actions import default_scheme, freeze_assessment
from gridgov.assess.models import Snapshot, SnapshotCase, SnapshotResult
from gridgov.assess.tasks import freeze_previous_month
from gridgov.audit.models import AuditRecord
from gridgov.events.models import Event

from .support import BIG, GULOU, MARCH

pytestmark = pytest.mark.django_db


def _stored(snapshot, kind):
    return {r.subject: (r.score, r.figures["counts"], r.rank)
            for r in SnapshotResult.objects.filter(snapshot=snapshot, kind=kind)}


def _recomputed(snapshot, kind):
    ranked = compute.ranking(compute.FrozenSource(None, snapshot), kind,
                             snapshot.scheme_items)
    return {r.key: (r.score, r.counts, r.rank) for r in ranked}


def test_freeze_stores_the_inputs_and_is_reproducible(big, small):
    snapshot = freeze_assessment(MARCH, default_scheme(), actor=None)
    assert snapshot.version == 1 and snapshot.case_count == 982 + 9
    assert SnapshotCase.objects.filter(snapshot=snapshot).count() == 991
    stored = _stored(snapshot, "department")
    # BIG and the worker's dispatched case; 区民政局 the 5 of 南门
    assert stored[str(big["department"].pk)][1]["reported"] == 983
    assert stored[str(small["minzheng"].pk)][1]["reported"] == 5
    for kind in ("department", "street", "community", "grid", "worker"):
        assert _stored(snapshot, kind) == _recomputed(snapshot, kind), kind
    assert _stored(snapshot, "street")[GULOU][1]["reported"] == 986
    worker = SnapshotResult.objects.get(snapshot=snapshot, kind="worker",
                                        subject=str(small["worker"].pk))
    assert worker.figures["workload"] == {"verifications": 1, "collected": 0,
                                        "patrol_hours": 0.0, "patrol_km": 0.0}
    record = AuditRecord.objects.get(action="assess.freeze", object_id=str(snapshot.pk))
    assert record.changes["cases"] == [None, 991]


def test_the_snapshot_stays_unchanged_when_events_change_and_refreeze_is_a_new_version(big):
    scheme = default_scheme()
    first = freeze_assessment(MARCH, scheme, actor=None)
    key = str(big["department"].pk)
    before = _stored(first, "department")[key]
    assert before[0] == BIG.score
    # Later, 100 of the on-time closures are corrected to late ones.
    ids = [e.pk for e in big["events"][:100]]
    Event.objects.filter(pk__in=ids).update(closed_at=F("handle_deadline")
                                            + dt.timedelta(hours=1))
    live = compute.grouped(compute.LiveSource(None, MARCH), "department")[key]
    assert live.counts["closed_on_time"] == 637
    assert _stored(first, "department")[key] == before
    assert _recomputed(first, "department")[key] == before
    second = freeze_assessment(MARCH, scheme, actor=None)
    assert (second.version, Snapshot.objects.filter(scheme=scheme).count()) == (2, 2)
    assert _stored(second, "department")[key][1]["closed_on_time"] == 637
    assert _stored(first, "department")[key] == before


def test_the_task_and_the_command_freeze_a_month(big):
    out = freeze_previous_month(today="2020-04-05")
    assert out["month"] == "2020-03" and out["version"] == 1 and out["cases"] == 982
    call_command("assess", "freeze", "--month", "2020-03", stdout=open("/dev/null", "w"))
    versions = list(Snapshot.objects.filter(period_start=dt.date(2020, 3, 1))
                    .order_by("version").values_list("version", flat=True))
    assert versions == [1, 2]
