"""What other apps' events do: a death or a move-out stops benefits and cancels tasks; a
visit closes the person's alert (and, by a home visit, the home-visit task)."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.basedata.actions import lifecycle
from gridgov.proactive import actions
from gridgov.proactive.models import Benefit, ServiceTask
from gridgov.visits import actions as visits
from gridgov.visits.models import VisitSchedule

from .support import make_person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _services(grid, name, **kwargs):
    person = make_person(grid, name, born=dt.date(TODAY.year - 80, TODAY.month, 1), **kwargs)
    actions.start_benefit(person, kind="elderly_allowance", actor=None,
                          without_application=True)
    actions.start_benefit(person, kind="pension", actor=None,
                          next_certification_on=TODAY + dt.timedelta(days=10))
    alert = actions.open_task(kind="alert", title=f"{name}未联系", grid=grid, person=person)
    return person, alert


def test_a_death_stops_benefits_and_cancels_tasks_and_visit_plans(
        gulou_grid, grid_worker, django_capture_on_commit_callbacks):
    person, alert = _services(gulou_grid, "测去世", tags=["独居老人"])
    assert Benefit.objects.filter(person=person, status="active").count() == 2
    assert ServiceTask.objects.filter(person=person, state="open").count() == 2  # + notice
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.record_death(person, actor=grid_worker, on=TODAY, note="病故")
    stopped = Benefit.objects.filter(person=person)
    assert {b.status for b in stopped} == {"stopped"}
    assert all(b.stop_reason.startswith("死亡") and b.stopped_on == TODAY for b in stopped)
    assert {t.state for t in ServiceTask.objects.filter(person=person)} == {"cancelled"}
    assert not VisitSchedule.objects.filter(person=person, closed_at__isnull=True).exists()
    audit = AuditRecord.objects.get(action="proactive.person_ended", object_id=str(person.pk))
    assert audit.actor_id == grid_worker.pk


def test_a_move_out_stops_them_too(gulou_grid, grid_worker, django_capture_on_commit_callbacks):
    person, alert = _services(gulou_grid, "测迁出")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.move_out(person, actor=grid_worker, on=TODAY, destination="杭州市")
    assert not Benefit.objects.filter(person=person, status="active").exists()
    assert Benefit.objects.filter(person=person, stop_reason__startswith="迁出").count() == 2
    alert.refresh_from_db()
    assert alert.state == "cancelled"


def test_a_visit_closes_the_alert(gulou_grid, grid_worker, django_capture_on_commit_callbacks):
    person = make_person(gulou_grid, "测走访", tags=["独居老人"])
    alert = actions.open_task(kind="alert", title="测走访未联系", grid=gulou_grid, person=person)
    home = actions.open_task(kind="home_visit", title="上门认证", grid=gulou_grid, person=person)
    with django_capture_on_commit_callbacks(execute=True):
        phone_call = visits.record_visit(person, kind="phone", notes="电话联系,一切安好",
                                         actor=grid_worker)
    alert.refresh_from_db()
    home.refresh_from_db()
    assert alert.state == "done" and alert.closing_visit == phone_call
    assert alert.closed_by == grid_worker and alert.closed_on_time()
    assert home.state == "open"  # a phone call is not a home visit
    with django_capture_on_commit_callbacks(execute=True):
        at_home = visits.record_visit(person, kind="home", notes="上门协助认证",
                                      actor=grid_worker)
    home.refresh_from_db()
    assert home.state == "done" and home.closing_visit == at_home
    assert AuditRecord.objects.filter(action="proactive.visit_closed").count() >= 2
