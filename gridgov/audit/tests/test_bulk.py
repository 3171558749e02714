"""The bulk appender (``audit.bulk``): what it writes verifies like ``record()``'s records, it
never backdates, and it refuses (writing nothing) when the chains moved under it."""

import datetime as dt

import pytest
from django.db import DatabaseError, transaction

from gridgov.audit import bulk
from gridgov.audit.anchor import anchor_closed_days
from gridgov.audit.models import AuditRecord, ChainHead
from gridgov.audit.recorder import record
from gridgov.audit.verify import verify_all

pytestmark = pytest.mark.django_db


def _entries(key, n, object_type="test.thing", start=0):
    return [bulk.Entry(chain_key=f"{object_type}:{key}", action="test.import",
                       object_type=object_type, object_id=key, object_repr=f"thing {key}",
                       changes={"n": [i, i + 1], "history": [None, {"at": "2025-12-01"}]},
                       remark=f"step {i}") for i in range(start, start + n)]


def test_bulk_records_verify_with_new_and_existing_chains():
    with transaction.atomic():
        record("test.change", object_type="test.thing", object_id="old", after={"n": 1})
    with transaction.atomic():
        written = bulk.append(_entries("a", 3) + _entries("b", 2) + _entries("old", 2))
    assert len(written) == 7 and all(rec.pk for rec in written)
    old = list(AuditRecord.objects.filter(chain_key="test.thing:old").order_by("seq"))
    assert [r.seq for r in old] == [1, 2, 3]
    assert old[1].prev_hash == old[0].hash
    assert ChainHead.objects.get(chain_key="test.thing:old").last_hash == old[-1].hash
    assert ChainHead.objects.get(chain_key="test.thing:a").seq == 3
    # record() continues a bulk-written chain as if it had written it itself.
    with transaction.atomic():
        record("test.change", object_type="test.thing", object_id="a", after={"n": 9})
    result = verify_all()
    assert result.ok, result.broken


def test_bulk_records_carry_the_time_they_are_written(clock):
    clock.set(2026, 3, 1, 9)
    with transaction.atomic():
        record("test.change", object_type="test.thing", object_id="x", after={"n": 1})
    anchor_closed_days(until=dt.date(2026, 3, 5))
    now = clock.set(2026, 3, 5, 10)
    with transaction.atomic():
        written = bulk.append(_entries("x", 2))
    assert {rec.at for rec in written} == {now.astimezone(dt.UTC)}
    # The sealed day is untouched; the import lands on the open day and verifies.
    assert verify_all().ok


def test_new_chains_that_exist_are_refused():
    with transaction.atomic():
        record("test.change", object_type="test.thing", object_id="a", after={"n": 1})
    count = AuditRecord.objects.count()
    with pytest.raises(bulk.BulkAppendRefused), transaction.atomic():
        bulk.append(_entries("a", 2) + _entries("z", 1), new_chains=True)
    assert AuditRecord.objects.count() == count
    assert not ChainHead.objects.filter(chain_key="test.thing:z").exists()


def test_a_chain_that_moved_after_prepare_is_refused_and_nothing_is_kept():
    with transaction.atomic():
        record("test.change", object_type="test.thing", object_id="a", after={"n": 1})
    plan = bulk.prepare(_entries("a", 2) + _entries("fresh", 1))
    with transaction.atomic():
        # Another writer appends to the same chain between prepare and write.
        record("test.change", object_type="test.thing", object_id="a", after={"n": 2})
    count = AuditRecord.objects.count()
    with pytest.raises(bulk.BulkAppendRefused), transaction.atomic():
        bulk.write(plan)
    assert AuditRecord.objects.count() == count
    assert not ChainHead.objects.filter(chain_key="test.thing:fresh").exists()
    assert verify_all().ok


def test_a_new_chain_created_after_prepare_is_refused():
    plan = bulk.prepare(_entries("n", 2), new_chains=True)
    with transaction.atomic():
        record("test.change", object_type="test.thing", object_id="n", after={"n": 1})
    with pytest.raises(bulk.BulkAppendRefused), transaction.atomic():
        bulk.write(plan)
    assert AuditRecord.objects.filter(chain_key="test.thing:n").count() == 1
    assert verify_all().ok


def test_the_guards_still_refuse_rewinding_a_bulk_written_head():
    with transaction.atomic():
        bulk.append(_entries("g", 3))
    with pytest.raises(DatabaseError), transaction.atomic():
        ChainHead.objects.filter(chain_key="test.thing:g").update(seq=1)
