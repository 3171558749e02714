"""Visits name the people in care: only who may see the people reads them.

The command room (受理员, 值班长, 派遣员) lacks ``basedata.view_people`` and no longer holds
``visits.view``; a role an administrator gives ``visits.view`` alone still reads no visit,
schedule or person through the visits pages and API.
"""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.accounts import actions as account_actions
from gridgov.core.models import Permission, RoleDefinition
from gridgov.visits import actions
from gridgov.visits.models import Visit, VisitSchedule

from .support import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def cared(gulou_grid, grid_worker):
    person = make_person(gulou_grid, "范围甲", "独居老人")
    actions.sync_schedules([person.pk], today=timezone.localdate() - dt.timedelta(days=10))
    actions.record_visit(person, notes="上门看望", actor=grid_worker,
                         visited_at=timezone.now() - dt.timedelta(hours=2))
    return person


@pytest.mark.parametrize("fixture", ["shift_leader", "intake_clerk", "dispatcher"])
def test_the_command_room_reads_no_visits(request, fixture, cared, client_as, api_as):
    user = request.getfixturevalue(fixture)
    client = client_as(user)
    assert client.get("/visits/").status_code == 403
    assert client.get(f"/visits/people/{cared.pk}/").status_code == 403
    # Reads are narrowed by scope (the shared API rule): an empty list, and 404 for a row.
    api = api_as(user)
    assert api.get("/api/v1/visits/").json()["results"] == []
    assert api.get("/api/v1/visit-schedules/").json()["results"] == []
    assert api.get(f"/api/v1/visits/{cared.visits.first().pk}/").status_code == 404
    assert not Visit.objects.restrict(user, "view").exists()


@pytest.fixture
def visits_only(gulou_street, sys_admin, sec_admin):
    """A custom role holding ``visits.view`` but not ``basedata.view_people``."""
    role = RoleDefinition.objects.create(code="visit_reader", name="走访查看(测试)")
    role.permissions.set(Permission.objects.filter(code="visits.view"))
    user = account_actions.create_user(username="visit_reader", real_name="测试人员",
                                       password="Haishu#2026", actor=sys_admin)
    account_actions.assign_role(user, role.code, gulou_street, actor=sec_admin)
    return user


def test_visits_view_alone_reaches_no_person(visits_only, cared, client_as, api_as):
    assert not Visit.objects.restrict(visits_only, "view").exists()
    assert not VisitSchedule.objects.restrict(visits_only, "view").exists()
    client = client_as(visits_only)
    listed = client.get("/visits/", {"state": "open"})
    assert listed.status_code == 200 and "范围甲" not in listed.content.decode()
    assert client.get(f"/visits/people/{cared.pk}/").status_code == 404
    api = api_as(visits_only)
    assert api.get("/api/v1/visits/").json()["results"] == []
    assert api.get(f"/api/v1/visits/{cared.visits.first().pk}/").status_code == 404


def test_recording_for_a_person_out_of_sight_answers_not_found(cared, grid_worker2, api_as):
    # The other grid's worker may visit in their own grid only: the person is not found.
    response = api_as(grid_worker2).post("/api/v1/visits/", {
        "person": cared.pk, "kind": "phone", "notes": "电话问候"}, format="multipart")
    assert response.status_code == 404
    assert cared.visits.count() == 1


def test_a_recorded_visit_is_announced_once_on_commit(cared, grid_worker,
                                                      django_capture_on_commit_callbacks):
    from gridgov.visits.signals import visit_recorded

    heard = []

    def listener(sender, visit, actor, **kwargs):
        heard.append((visit.pk, actor.pk))

    visit_recorded.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            visit = actions.record_visit(cared, notes="再次看望", actor=grid_worker,
                                         client_id="6f1c3a52-3b1e-4b8e-9a57-0a7d2c1e9b11")
        with django_capture_on_commit_callbacks(execute=True):
            again = actions.record_visit(cared, notes="再次看望", actor=grid_worker,
                                         client_id="6f1c3a52-3b1e-4b8e-9a57-0a7d2c1e9b11")
    finally:
        visit_recorded.disconnect(listener)
    assert again.pk == visit.pk
    assert heard == [(visit.pk, grid_worker.pk)]
