"""The index and the rollup on fixture texts with known answers (see ``support``)."""

import pytest
from django.db.models import Sum

from gridgov.audit.models import AuditRecord
from gridgov.events.models import Event
from gridgov.needs import actions
from gridgov.needs.models import NeedCategory, NeedCount, NeedIndexState, NeedMention

from .support import GRID1, MAY, NANMEN_GRID, build_known, event, local

pytestmark = pytest.mark.django_db


def _totals(prefix="330203005"):
    rows = (NeedCount.objects.filter(month=MAY, group="", area_code__startswith=prefix)
            .values("category__code").annotate(n=Sum("mentions")))
    return {r["category__code"]: r["n"] for r in rows}


def _matrix(prefix="330203005"):
    rows = (NeedCount.objects.filter(month=MAY, area_code__startswith=prefix)
            .exclude(group="").values("group", "category__code").annotate(n=Sum("mentions")))
    return {(r["group"], r["category__code"]): r["n"] for r in rows}


@pytest.fixture
def known():
    actions.refresh_needs(actor=None)  # the demo's own texts first, so the test sees its own
    data = build_known()
    data["totals"] = actions.refresh_needs(actor=None)
    return data


def test_known_counts_by_category_and_group(known):
    assert _totals() == {"housing": 1, "environment": 1, "policy": 1, "medical": 1,
                         "psychological": 1}
    assert _matrix() == {
        ("独居老人", "housing"): 1, ("高龄老人", "housing"): 1,
        ("独居老人", "medical"): 1, ("高龄老人", "medical"): 1,
        ("独居老人", "psychological"): 1, ("高龄老人", "psychological"): 1,
        ("其他", "environment"): 1, ("其他", "policy"): 1}
    assert _totals(NANMEN_GRID) == {"safety": 1}
    # the caller's phone found the resident: the report counts for their person and groups
    housing = NeedMention.objects.get(month=MAY, category__code="housing", primary=True)
    assert housing.person_id == known["p1"].pk and housing.source == "hotline"
    medical = NeedCount.objects.get(month=MAY, group="", category__code="medical")
    assert medical.area_code == GRID1 and medical.people == 1


def test_refresh_is_incremental_and_audited(known):
    assert known["totals"]["texts"] == 7 - 1  # the voided report is not read
    again = actions.refresh_needs(actor=None)
    assert again["texts"] == 0 and again["mentions"] == 0
    grids = {e.grid_id: e.grid for e in Event.objects.filter(area_code=GRID1)[:1]}
    Event.objects.bulk_create([event(next(iter(grids.values())), "电梯又坏了,物业不来修",
                                     local(2021, 5, 25))])
    before = AuditRecord.objects.filter(action="needs.refresh").count()
    third = actions.refresh_needs(actor=None)
    assert third["texts"] == 1 and third["months"] == 1
    assert _totals()["housing"] == 2
    assert AuditRecord.objects.filter(action="needs.refresh").count() == before + 1


def test_voided_after_reading_and_held_until_released(known):
    grid = Event.objects.filter(area_code=GRID1).first().grid
    held = event(grid, "噪音扰民,晚上施工", local(2021, 5, 26), state="held")
    Event.objects.bulk_create([held])
    actions.refresh_needs(actor=None)
    assert "environment" in _totals() and _totals()["environment"] == 1
    Event.objects.filter(number=held.number).update(state="registered")
    actions.refresh_needs(actor=None)
    assert _totals()["environment"] == 2
    Event.objects.filter(description__startswith="小区垃圾桶").update(state="void")
    actions.refresh_needs(actor=None)
    assert _totals()["environment"] == 1


def test_vocabulary_change_rebuilds(known, sys_admin):
    housing = NeedCategory.objects.get(code="housing")
    actions.save_category(housing, actor=sys_admin, name="住房物业",
                          keywords=["电梯"], visit_needs=[])
    totals = actions.refresh_needs(actor=None)
    assert totals["full"] is True
    assert "housing" not in _totals()  # "漏水" / "物业" no longer mean housing
    assert NeedIndexState.objects.get(source="event").last_id > 0


def test_refresh_in_a_fixed_number_of_queries(known, django_assert_max_num_queries):
    grid = Event.objects.filter(area_code=GRID1).first().grid
    Event.objects.bulk_create([event(grid, f"第{n}次反映漏水", local(2021, 5, 27))
                               for n in range(60)])
    with django_assert_max_num_queries(40):
        totals = actions.refresh_needs(actor=None)
    assert totals["texts"] == 60 and _totals()["housing"] == 61
