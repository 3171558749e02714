"""The workflow table asks for permissions, not roles: a role an administrator adds (data, no
code) reaches exactly the transitions its permissions name, where it holds them; a
permission taken from a built-in role refuses at once; the department rule follows the
department-bound grant."""

import pytest
from django.core.exceptions import PermissionDenied

from gridgov.accounts import actions as account_actions
from gridgov.areas.models import Area
from gridgov.core.access import declared_permissions, get_scope
from gridgov.core.models import Permission, RoleDefinition
from gridgov.events import actions
from gridgov.events.actions import intake
from gridgov.events.choices import State
from gridgov.events.workflow import TRANSITIONS, available_actions, in_scope, role_allowed

from .workflow_support import call, event_in, new_event, people, point_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(db):
    return people()


def _role(code, *perms, department_bound=False):
    role = RoleDefinition.objects.create(code=code, name=f"测试{code}",
                                         department_bound=department_bound)
    role.permissions.set(Permission.objects.filter(code__in=perms))
    return role


def _person(username, role, area, p, *, department=None):
    user = account_actions.create_user(username=username, real_name="测试人员",
                                       password="Haishu#2026", actor=p["sys_admin"],
                                       department=department)
    account_actions.assign_role(user, role, area, actor=p["sec_admin"])
    return user


def test_every_transition_names_a_declared_permission():
    declared = declared_permissions()
    for name, transition in TRANSITIONS.items():
        assert transition.permission == f"events.{name}"
        assert transition.permission in declared, name


def test_a_new_role_dispatches_where_it_holds_the_permission(p):
    event = event_in(State.FILED, p)
    _role("night_dispatch", "events.view", "events.dispatch")
    street = Area.objects.get(code=event.area_code[:9])
    other = Area.objects.filter(level="street").exclude(code=street.code).first()
    here = _person("t_night_here", "night_dispatch", street, p)
    there = _person("t_night_there", "night_dispatch", other, p)
    assert [t.action for t in available_actions(event, here)] == ["dispatch"]
    with pytest.raises(PermissionDenied):
        call("dispatch", event, p, actor=there)  # held elsewhere: outside its scope
    with pytest.raises(PermissionDenied):
        call("file", event_in(State.REGISTERED, p), p, actor=here)  # never granted
    moved = call("dispatch", event, p, actor=here)
    assert moved.state == State.DISPATCHED


def test_a_permission_taken_from_a_builtin_role_refuses_at_once(p):
    event = event_in(State.FILED, p)
    dispatcher = RoleDefinition.objects.get(code="dispatcher")
    dispatcher.permissions.remove(Permission.objects.get(code="events.dispatch"))
    scope = get_scope(people()["dispatcher"])  # a fresh user object: a fresh scope
    assert not role_allowed(TRANSITIONS["dispatch"], scope)
    with pytest.raises(PermissionDenied):
        call("dispatch", event, p, actor=people()["dispatcher"])


def test_handler_rule_needs_the_grant_through_the_department(p):
    event = event_in(State.DISPATCHED, p)
    department = event.department
    street = Area.objects.get(code=event.area_code[:9])
    # An area role with events.claim does not make one the department's handler.
    _role("area_claimer", "events.view", "events.claim")
    area_person = _person("t_area_claimer", "area_claimer", street, p)
    assert not in_scope(TRANSITIONS["claim"], event, get_scope(area_person))
    # A department-bound role with events.claim does, in that department only.
    _role("dept_claimer", "events.view", "events.claim", department_bound=True)
    staff = _person("t_dept_claimer", "dept_claimer", street, p, department=department)
    assert in_scope(TRANSITIONS["claim"], event, get_scope(staff))
    assert call("claim", event, p, actor=staff).state == State.IN_PROGRESS


def test_grid_events_are_handled_by_area_holders_of_the_grid(p):
    event = event_in(State.FILED, p)
    event = call("dispatch", event, p, grid=True)
    assert event.department_id is None
    assert in_scope(TRANSITIONS["claim"], event, get_scope(p["worker"]))
    assert not in_scope(TRANSITIONS["claim"], event, get_scope(p["handler"]))
    assert not in_scope(TRANSITIONS["claim"], event, get_scope(p["rural_worker"]))


def test_intake_channels_follow_their_permission(p, gulou_grid):
    lng, lat = point_in(gulou_grid.code)
    with pytest.raises(PermissionDenied):
        intake.record_leader_instruction(actor=p["worker"], description="路面坑洼",
                                         lng=lng, lat=lat)
    _role("patrol_plus", "events.view", "events.instruct")
    person = _person("t_patrol_plus", "patrol_plus", gulou_grid, p)
    result = intake.record_leader_instruction(actor=person, description="路面坑洼",
                                              lng=lng, lat=lat)
    assert result.created and result.event.source == "leader_instruction"
    assert intake.can_see_contact(person, result.event)  # the reporter sees their own
    others = new_event(p)  # reported by a grid worker
    assert not intake.can_see_contact(person, others)
    _role("callback", "events.see_contact")
    account_actions.assign_role(person, "callback", gulou_grid, actor=p["sec_admin"])
    assert intake.can_see_contact(people_fresh(person), others)


def people_fresh(user):
    """The user read again (its scope is cached on the instance for a request)."""
    return type(user).objects.get(pk=user.pk)


def test_catalog_needs_manage_catalog(p):
    with pytest.raises(PermissionDenied):
        actions.save_platform(actor=p["leader"], code="T1", name="测试平台")
    platform = actions.save_platform(actor=p["sys_admin"], code="T1", name="测试平台")
    assert platform.name == "测试平台"
