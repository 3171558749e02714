"""The role table's actions (``gridgov.core.actions``): create a role, change it and its
permissions; who may, what is refused, what is audited, and that the change is seen at once.
Also the working-day calendar's action, which lives beside them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gridgov.accounts import actions as account_actions
from gridgov.audit.models import AuditRecord
from gridgov.core import actions
from gridgov.core.access import can, forget_scope, grants
from gridgov.core.models import CalendarDay, RoleDefinition

pytestmark = pytest.mark.django_db


def _records(role, action):
    return AuditRecord.objects.filter(object_type="core.roledefinition",
                                      object_id=str(role.pk), action=action)


def test_security_admin_creates_a_role_with_permissions(sec_admin):
    role = actions.create_role(code="assessor", name="考核员", description="读取考核数据",
                               area_levels=["district", "street"],
                               permissions=["events.view", "accounts.view_users"],
                               actor=sec_admin)
    assert not role.builtin and not role.admin_duty and role.assignable and role.is_active
    assert set(role.permissions.values_list("code", flat=True)) == {
        "events.view", "accounts.view_users"}
    assert grants.table().grants["assessor"] == {"events.view", "accounts.view_users"}
    assert grants.role_label("assessor") == "考核员"
    assert ("assessor", "考核员") in grants.role_choices()
    audit = _records(role, "core.role_created").get()
    assert audit.actor_id == sec_admin.pk
    assert audit.changes["permissions"] == [None, ["accounts.view_users", "events.view"]]


@pytest.mark.parametrize("who", ["sys_admin", "audit_admin", "leader", "dept_admin"])
def test_only_holders_of_manage_roles_may(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.create_role(code="assessor", name="考核员", actor=user)
    leader_role = RoleDefinition.objects.get(code="leader")
    with pytest.raises(PermissionDenied):
        actions.set_role_permissions(leader_role, ["events.view"], actor=user)
    assert not RoleDefinition.objects.filter(code="assessor").exists()


@pytest.mark.parametrize("kwargs, field", [
    ({"code": "Bad Code", "name": "x"}, "code"),
    ({"code": "leader", "name": "另一个领导"}, "code"),
    ({"code": "assessor", "name": "领导"}, "name"),
    ({"code": "assessor", "name": ""}, "name"),
    ({"code": "assessor", "name": "考核员", "area_levels": ["planet"]}, "area_levels"),
    ({"code": "assessor", "name": "考核员", "permissions": ["events.veiw"]}, "permissions"),
])
def test_create_role_validates(sec_admin, kwargs, field):
    with pytest.raises(ValidationError) as error:
        actions.create_role(actor=sec_admin, **kwargs)
    assert field in error.value.message_dict


def test_built_in_roles_keep_code_and_flags_but_permissions_change(sec_admin, leader):
    role = RoleDefinition.objects.get(code="leader")
    before = set(role.permissions.values_list("code", flat=True))
    assert can(leader, "areas.view")
    for change in ({"department_bound": True}, {"admin_duty": True}, {"assignable": False},
                   {"is_active": False}, {"area_levels": ["grid"]}, {"code": "boss"}):
        with pytest.raises(ValidationError):
            actions.update_role(role, actor=sec_admin, **change)
    actions.set_role_permissions(role, sorted(before - {"areas.view"}), actor=sec_admin)
    forget_scope(leader)
    assert not can(leader, "areas.view")
    audit = _records(role, "core.role_updated").get()
    assert "areas.view" in audit.changes["permissions"][0]
    assert "areas.view" not in audit.changes["permissions"][1]
    renamed = actions.update_role(role, name="街道领导", actor=sec_admin)
    assert renamed.name == "街道领导" and renamed.code == "leader"


def test_no_role_becomes_an_administrator_duty(sec_admin):
    role = actions.create_role(code="assessor", name="考核员", actor=sec_admin)
    with pytest.raises(ValidationError) as error:
        actions.update_role(role, admin_duty=True, actor=sec_admin)
    assert "admin_duty" in error.value.message_dict
    with pytest.raises(TypeError):
        actions.create_role(code="x2", name="x2", admin_duty=True, actor=sec_admin)


def test_the_last_role_able_to_manage_roles_keeps_it(sec_admin):
    role = RoleDefinition.objects.get(code="sec_admin")
    codes = set(role.permissions.values_list("code", flat=True))
    with pytest.raises(ValidationError) as error:
        actions.set_role_permissions(role, codes - {"core.manage_roles"}, actor=sec_admin)
    assert "permissions" in error.value.message_dict
    assert can(sec_admin, "core.manage_roles")


def test_a_department_role_needs_its_holders_to_have_a_department(sec_admin, leader):
    role = actions.create_role(code="assessor", name="考核员", permissions=["events.view"],
                               actor=sec_admin)
    user = account_actions.create_user(username="t_assessor", real_name="考核",
                                       password="Gg-test-pass-2026!", actor=None)
    district = leader.assignments.get().area.parent
    account_actions.assign_role(user, "assessor", district, actor=sec_admin)
    with pytest.raises(ValidationError):
        actions.update_role(role, department_bound=True, actor=sec_admin)


def test_an_inactive_role_is_no_longer_assignable_nor_granted(sec_admin, leader):
    role = actions.create_role(code="assessor", name="考核员", permissions=["events.view"],
                               actor=sec_admin)
    actions.update_role(role, is_active=False, actor=sec_admin)
    assert "assessor" not in grants.table().grants
    user = account_actions.create_user(username="t_assessor", real_name="考核",
                                       password="Gg-test-pass-2026!", actor=None)
    with pytest.raises(ValidationError) as error:
        account_actions.assign_role(user, "assessor", leader.assignments.get().area,
                                    actor=sec_admin)
    assert "role" in error.value.message_dict


def test_role_changes_reach_the_cache_on_commit(sec_admin):
    grants.table()
    with transaction.atomic():
        actions.create_role(code="assessor", name="考核员", permissions=["events.view"],
                            actor=sec_admin)
    assert grants.table().grants["assessor"] == {"events.view"}


def test_set_calendar_day_needs_edit_calendar_and_is_audited(sys_admin, sec_admin):
    day = dt.date(2031, 1, 1)
    with pytest.raises(PermissionDenied, match="系统管理员"):
        actions.set_calendar_day(day, is_workday=False, actor=sec_admin)
    row = actions.set_calendar_day(day, is_workday=False, note="元旦", actor=sys_admin)
    assert CalendarDay.objects.get(date=day).note == "元旦" and not row.is_workday
    audit = AuditRecord.objects.get(action="core.calendar_day", object_id=str(row.pk))
    assert audit.actor_id == sys_admin.pk
