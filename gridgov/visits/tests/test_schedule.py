"""The schedule math, the plans, the receivers and the bounds of a visit's time."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.basedata.models import Tag
from gridgov.basedata.signals import person_status_changed
from gridgov.visits import actions
from gridgov.visits.models import Visit, VisitPlan, VisitSchedule
from gridgov.visits.views import due_rows

from .support import ago, make_person

pytestmark = pytest.mark.django_db


def rows(person):
    return {r.plan.tag.name: r for r in VisitSchedule.objects.filter(person=person)
            .select_related("plan__tag")}


def test_default_plans_are_seeded():
    plans = {p.tag.name: p.interval_days for p in VisitPlan.objects.filter(
        is_active=True, area_code="")}
    assert plans["独居老人"] == 7 and plans["高龄老人"] == 30 and plans["残疾人"] == 30
    assert plans["低保户"] == 90 and "退役军人" not in plans


def test_two_care_groups_the_shortest_interval_governs(gulou_grid):
    person = make_person(gulou_grid, "测甲", "独居老人", "高龄老人")
    opened = dt.date(2026, 11, 1)
    actions.sync_schedules([person.pk], today=opened)
    got = rows(person)
    assert set(got) == {"独居老人", "高龄老人"}
    assert got["独居老人"].governing and not got["高龄老人"].governing
    assert got["独居老人"].next_due == dt.date(2026, 11, 8)
    assert got["高龄老人"].next_due == dt.date(2026, 12, 1)
    # Syncing again changes nothing.
    assert actions.sync_schedules([person.pk], today=opened) == {
        "opened": 0, "closed": 0, "changed": 0}


def test_a_visit_moves_next_due_on_every_row(gulou_grid, grid_worker):
    person = make_person(gulou_grid, "测乙", "独居老人", "高龄老人")
    actions.sync_schedules([person.pk], today=dt.date(2026, 1, 1))
    at = ago(2)
    visit = actions.record_visit(person, visited_at=at, notes="身体良好", actor=grid_worker)
    day = timezone.localdate(at)
    got = rows(person)
    assert got["独居老人"].next_due == day + dt.timedelta(days=7)
    assert got["高龄老人"].next_due == day + dt.timedelta(days=30)
    assert got["独居老人"].last_visit_at == at == got["高龄老人"].last_visit_at
    assert visit.visitor == grid_worker and visit.visitor_name == "王丽娟"
    assert visit.area_code == gulou_grid.code
    assert AuditRecord.objects.filter(action="visits.visit", object_id=str(visit.pk)).exists()
    # An older visit recorded later does not move the date back.
    actions.record_visit(person, visited_at=ago(5), notes="补录", actor=grid_worker)
    assert rows(person)["独居老人"].next_due == day + dt.timedelta(days=7)
    assert actions.last_contacts([person.pk]) == {person.pk: at}


def test_changing_a_plans_interval_recomputes(gulou_grid, sys_admin):
    person = make_person(gulou_grid, "测丙", "独居老人")
    actions.sync_schedules([person.pk], today=dt.date(2026, 11, 1))
    plan = VisitPlan.objects.get(tag__name="独居老人", area_code="", is_active=True)
    saved = actions.save_plan(plan, tag=plan.tag, interval_days=10, note="改为十天",
                              expected_version=plan.version, actor=sys_admin)
    assert saved.version == plan.version + 1
    assert rows(person)["独居老人"].next_due == dt.date(2026, 11, 11)
    assert AuditRecord.objects.filter(action="visits.plan", object_id=str(plan.pk)).exists()
    with pytest.raises(actions.StaleVersion) as stale:
        actions.save_plan(plan, tag=plan.tag, interval_days=12, expected_version=plan.version,
                          actor=sys_admin)
    assert stale.value.current.interval_days == 10


def test_an_area_plan_overrides_the_district_plan_and_retiring_it_falls_back(
        gulou_grid, gulou_grid2, sys_admin):
    here = make_person(gulou_grid, "测丁", "残疾人")
    there = make_person(gulou_grid2, "测戊", "残疾人")
    tag = Tag.objects.get(name="残疾人")
    local = actions.save_plan(None, tag=tag, area_code=gulou_grid.code, interval_days=14,
                              actor=sys_admin)
    assert VisitSchedule.objects.get(person=here, closed_at__isnull=True).plan == local
    assert VisitSchedule.objects.get(person=there, closed_at__isnull=True).interval_days == 30
    actions.retire_plan(local, actor=sys_admin)
    old = VisitSchedule.objects.get(person=here, plan=local)
    assert old.closed_at is not None and old.closed_reason == "plan_retired"
    assert VisitSchedule.objects.get(person=here, closed_at__isnull=True).interval_days == 30


def test_only_the_administrator_edits_plans(grid_worker):
    plan = VisitPlan.objects.filter(is_active=True).first()
    with pytest.raises(PermissionDenied):
        actions.save_plan(plan, tag=plan.tag, interval_days=3, actor=grid_worker)
    with pytest.raises(ValidationError) as bad:
        actions.save_plan(None, tag=Tag.objects.get(name="社区矫正对象"), interval_days=7,
                          actor=None)
    assert "tag" in bad.value.message_dict


def test_leaving_a_group_closes_and_joining_again_reopens(gulou_grid):
    person = make_person(gulou_grid, "测己", "独居老人")
    actions.sync_schedules([person.pk])
    person.tags.clear()
    actions.sync_schedules([person.pk])
    row = VisitSchedule.objects.get(person=person)
    assert row.closed_reason == "left_group" and not row.governing
    person.tags.add(Tag.objects.get(name="独居老人"))
    actions.sync_schedules([person.pk])
    row.refresh_from_db()
    assert row.closed_at is None and row.governing


def test_a_tag_change_syncs_on_commit(gulou_grid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = make_person(gulou_grid, "测庚", "高龄老人")
    assert rows(person)["高龄老人"].governing


@pytest.mark.parametrize("status", ["deceased", "moved_out"])
def test_death_or_move_out_closes_the_schedules(gulou_grid, grid_worker, status):
    person = make_person(gulou_grid, "测辛", "独居老人", "高龄老人")
    actions.sync_schedules([person.pk])
    person_status_changed.send(sender=type(person), person=person, old_status="residing",
                               new_status=status, on=timezone.localdate(), actor=grid_worker)
    got = rows(person)
    assert all(r.closed_at and r.closed_reason == status and not r.governing
               for r in got.values())
    record = AuditRecord.objects.get(action="visits.close", object_id=str(person.pk))
    assert status in str(record.changes)
    assert not due_rows(grid_worker, state="open").filter(person=person).exists()


def test_visited_at_bounds(gulou_grid, grid_worker):
    person = make_person(gulou_grid, "测壬", "独居老人")
    for when in (timezone.now() + dt.timedelta(minutes=6), ago(7, minutes=5)):
        with pytest.raises(ValidationError) as bad:
            actions.record_visit(person, visited_at=when, notes="x", actor=grid_worker)
        assert "visited_at" in bad.value.message_dict
    actions.record_visit(person, visited_at=timezone.now() + dt.timedelta(minutes=4),
                         notes="x", actor=grid_worker)
    actions.record_visit(person, visited_at=ago(6, hours=23), notes="x", actor=grid_worker)
    with pytest.raises(PermissionDenied):  # only the system imports past visits
        actions.import_visits([{"person": person, "visited_at": ago(30)}], actor=grid_worker)


def test_bad_input_names_the_field(gulou_grid, grid_worker):
    person = make_person(gulou_grid, "测癸", "独居老人")
    cases = [({"needs": ["flying"]}, "needs"), ({"kind": "fax", "notes": "x"}, "kind"),
             ({"notes": ""}, "notes"), ({"notes": "x", "lng": 121.5}, "lat"),
             ({"notes": "x", "lng": 500, "lat": 29}, "lng"),
             ({"notes": "x", "photos": [("a.txt", b"hello")]}, "photos")]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as bad:
            actions.record_visit(person, actor=grid_worker, **kwargs)
        assert field in bad.value.message_dict, kwargs


def test_scope_another_grid_is_not_found(gulou_grid, grid_worker2, dispatcher):
    person = make_person(gulou_grid, "测子", "独居老人")
    with pytest.raises(Http404):
        actions.record_visit(person, notes="x", actor=grid_worker2)
    with pytest.raises(PermissionDenied):  # the command room sees, never visits
        actions.record_visit(person, notes="x", actor=dispatcher)


def test_client_id_records_once(gulou_grid, grid_worker):
    person = make_person(gulou_grid, "测丑", "独居老人")
    key = "6f1c1b1e-8f0a-4b8e-9d55-2b8f4f0c9a10"
    first = actions.record_visit(person, notes="x", client_id=key, actor=grid_worker)
    again = actions.record_visit(person, notes="x", client_id=key, actor=grid_worker)
    assert first.pk == again.pk and Visit.objects.filter(person=person).count() == 1


def test_overdue_list_is_one_query(gulou_grid, grid_worker, django_assert_num_queries):
    for n in range(5):
        person = make_person(gulou_grid, f"测逾期{n}", "独居老人", "残疾人")
        actions.sync_schedules([person.pk], today=timezone.localdate() - dt.timedelta(days=20))
    qs = due_rows(grid_worker, state="overdue")
    with django_assert_num_queries(1):
        got = [(s.person.name, s.plan.tag.name, s.days_overdue()) for s in qs]
    mine = [g for g in got if g[0].startswith("测逾期")]
    assert len(mine) == 5 and all(g[1] == "独居老人" and g[2] == 13 for g in mine)
