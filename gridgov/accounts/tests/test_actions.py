"""Account actions: who may do what (等保 "三员"), the role rules, and the audit they leave."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts import actions, totp
from gridgov.accounts.api.authentication import hash_key
from gridgov.accounts.choices import DepartmentKind, Role
from gridgov.accounts.models import ApiKey, Assignment, Department, User
from gridgov.audit.models import AuditRecord

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def records(action, **filters):
    return AuditRecord.objects.filter(action=action, **filters)


def all_changes_text(user_or_key_type) -> str:
    return " ".join(str(r.changes) + r.remark for r in AuditRecord.objects.filter(
        object_type=user_or_key_type))


# --- departments and users ------------------------------------------------------------------


def test_sys_admin_creates_department_and_it_is_audited(sys_admin, district):
    dept = actions.create_department(code="t950", name="测试卫健局", kind="government",
                                     area=district, actor=sys_admin, short_name="卫健")
    assert dept.code == "T950"
    rec = records("accounts.department_created", object_id=str(dept.pk)).get()
    assert rec.actor_id == sys_admin.pk
    assert rec.role == "sys_admin"
    assert rec.changes["name"] == [None, "测试卫健局"]


@pytest.mark.parametrize("who", ["sec_admin", "audit_admin", "leader", "dept_admin"])
def test_only_sys_admin_creates_departments(request, who, district):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.create_department(code="T951", name="某局", kind="government", area=district,
                                  actor=actor)
    assert not Department.objects.filter(code="T951").exists()


def test_department_input_is_validated(sys_admin, district, zhifa):
    with pytest.raises(ValidationError) as exc:
        actions.create_department(code="T901", name="新局", kind="government", area=district,
                                  actor=sys_admin)
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_department(code="T960", name=zhifa.name, kind="government",
                                  area=district, actor=sys_admin)
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_department(code="T960", name="新局", kind="bureau", area=district,
                                  actor=sys_admin)
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_department(code="9X", name="新局", kind=DepartmentKind.OTHER,
                                  area=district, actor=sys_admin)
    assert "code" in exc.value.message_dict


def test_sys_admin_creates_user_without_password_in_audit(sys_admin, zhifa):
    user = actions.create_user(username="t_new", real_name="新人", password="Qingshui#2027",
                               phone="138 1234 5678", department=zhifa, actor=sys_admin)
    assert user.check_password("Qingshui#2027")
    assert user.phone == "13812345678"
    assert user.password_changed_at is not None
    assert not user.assignments.exists()
    rec = records("accounts.user_created", object_id=str(user.pk)).get()
    text = str(rec.changes)
    assert "Qingshui#2027" not in text and user.password not in text
    # Personal information is masked even in the log.
    assert rec.changes["phone"] == [None, "138****5678"]


@pytest.mark.parametrize("who", ["sec_admin", "audit_admin", "leader", "dept_admin"])
def test_only_sys_admin_creates_users(request, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.create_user(username="t_x", real_name="某人", password="Qingshui#2027",
                            actor=actor)
    assert not User.objects.filter(username="t_x").exists()


@pytest.mark.parametrize("password, reason", [
    ("Ab#1234", "too short"),
    ("abcdefghijk", "one character class"),
    ("abcdefgh1234", "two character classes"),
    ("12345678901234", "numeric"),
    ("Password1234", "common"),
    ("t_zhangsan#A1x", "like the user name"),
])
def test_password_policy_rejects_weak_passwords(sys_admin, password, reason):
    with pytest.raises(ValidationError) as exc:
        actions.create_user(username="t_zhangsan", real_name="张三", password=password,
                            actor=sys_admin)
    assert "password" in exc.value.message_dict, reason
    assert not User.objects.filter(username="t_zhangsan").exists()


def test_password_policy_accepts_a_strong_password(sys_admin):
    user = actions.create_user(username="t_zhangsan", real_name="张三",
                               password="Yuehu-Lake-2026", actor=sys_admin)
    assert user.check_password("Yuehu-Lake-2026")


def test_user_input_is_validated(sys_admin, grid_worker):
    with pytest.raises(ValidationError) as exc:
        actions.create_user(username=grid_worker.username.upper(), real_name="重名",
                            password=PASSWORD, actor=sys_admin)
    assert "username" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_user(username="t_phone", real_name="某人", password=PASSWORD,
                            phone="0574-1234", actor=sys_admin)
    assert "phone" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_user(username="t_noname", real_name="  ", password=PASSWORD,
                            actor=sys_admin)
    assert "real_name" in exc.value.message_dict


def test_set_password_own_and_by_sys_admin(grid_worker, sys_admin, sec_admin, leader):
    actions.set_password(grid_worker, "Xiangyang#88", actor=grid_worker)
    grid_worker.refresh_from_db()
    assert grid_worker.check_password("Xiangyang#88")
    actions.set_password(grid_worker, "Wangchun#99a", actor=sys_admin)
    grid_worker.refresh_from_db()
    assert grid_worker.check_password("Wangchun#99a")
    with pytest.raises(PermissionDenied):
        actions.set_password(grid_worker, "Wangchun#99b", actor=leader)
    # The system administrator cannot take over another administrator's account.
    with pytest.raises(PermissionDenied):
        actions.set_password(sec_admin, "Wangchun#99c", actor=sys_admin)
    with pytest.raises(ValidationError):
        actions.set_password(grid_worker, "short", actor=grid_worker)
    recs = records("accounts.password_changed", object_id=str(grid_worker.pk))
    assert recs.count() == 2
    assert "Xiangyang#88" not in all_changes_text("accounts.user")


def test_deactivate_user(sys_admin, grid_worker, sec_admin, leader):
    with pytest.raises(PermissionDenied):
        actions.deactivate_user(grid_worker, actor=leader)
    with pytest.raises(PermissionDenied):
        actions.deactivate_user(grid_worker, actor=sec_admin)
    with pytest.raises(PermissionDenied):
        actions.deactivate_user(sys_admin, actor=sys_admin)
    # Administrators lose their role (security administrator) before their account.
    with pytest.raises(ValidationError):
        actions.deactivate_user(sec_admin, actor=sys_admin)
    actions.deactivate_user(grid_worker, actor=sys_admin)
    grid_worker.refresh_from_db()
    assert not grid_worker.is_active
    assert records("accounts.user_deactivated", object_id=str(grid_worker.pk)).count() == 1
    with pytest.raises(ValidationError):
        actions.deactivate_user(grid_worker, actor=sys_admin)


# --- roles ----------------------------------------------------------------------------------


def test_sec_admin_assigns_and_revokes_roles(make_user, sec_admin, gulou_grid, gulou_street):
    user = make_user("t_person")
    a = actions.assign_role(user, Role.GRID_WORKER, gulou_grid, actor=sec_admin)
    b = actions.assign_role(user, "leader", gulou_street, actor=sec_admin)
    assert set(user.assignments.values_list("role", flat=True)) == {"grid_worker", "leader"}
    rec = records("accounts.role_assigned", object_type="accounts.assignment",
                  object_id=str(a.pk)).get()
    assert rec.actor_id == sec_admin.pk
    assert rec.changes["area_code"] == [None, gulou_grid.code]
    actions.revoke_role(b, actor=sec_admin)
    assert not Assignment.objects.filter(pk=b.pk).exists()
    assert records("accounts.role_revoked", object_type="accounts.user",
                   object_id=str(user.pk)).count() == 1


@pytest.mark.parametrize("who", ["sys_admin", "audit_admin", "leader", "dept_admin"])
def test_only_sec_admin_assigns_roles(request, who, make_user, gulou_grid):
    actor = request.getfixturevalue(who)
    user = make_user("t_person")
    with pytest.raises(PermissionDenied):
        actions.assign_role(user, Role.GRID_WORKER, gulou_grid, actor=actor)
    assert not user.assignments.exists()


@pytest.mark.parametrize("who", ["sys_admin", "audit_admin", "leader"])
def test_only_sec_admin_revokes_roles(request, who, grid_worker):
    actor = request.getfixturevalue(who)
    assignment = grid_worker.assignments.get()
    with pytest.raises(PermissionDenied):
        actions.revoke_role(assignment, actor=actor)
    assert Assignment.objects.filter(pk=assignment.pk).exists()


@pytest.mark.parametrize("admin_role", ["sys_admin", "sec_admin", "audit_admin"])
def test_admin_roles_are_exclusive(make_user, sec_admin, district, gulou_street, admin_role):
    # An administrator may hold nothing else ...
    admin = make_user("t_admin2", admin_role, district)
    for other in ["sys_admin", "sec_admin", "audit_admin", "leader"]:
        if other == admin_role:
            continue
        area = district if other != "leader" else gulou_street
        with pytest.raises(ValidationError) as exc:
            actions.assign_role(admin, other, area, actor=sec_admin)
        assert "role" in exc.value.message_dict
    assert set(admin.assignments.values_list("role", flat=True)) == {admin_role}
    # ... and nobody holding another role becomes an administrator.
    person = make_user("t_leader2", Role.LEADER, gulou_street)
    with pytest.raises(ValidationError):
        actions.assign_role(person, admin_role, district, actor=sec_admin)
    assert set(person.assignments.values_list("role", flat=True)) == {"leader"}


def test_system_loader_obeys_the_same_role_rules(make_user, district):
    admin = make_user("t_admin3", Role.AUDIT_ADMIN, district)
    with pytest.raises(ValidationError):
        actions.assign_role(admin, Role.SYS_ADMIN, district, actor=None)


def test_department_roles_need_a_department(make_user, sec_admin, district, zhifa):
    person = make_user("t_nodept")
    for role in (Role.DEPT_HANDLER, Role.DEPT_ADMIN, Role.DATA_OFFICER):
        with pytest.raises(ValidationError) as exc:
            actions.assign_role(person, role, district, actor=sec_admin)
        assert "role" in exc.value.message_dict
    member = make_user("t_member", department=zhifa)
    assert actions.assign_role(member, Role.DEPT_HANDLER, district, actor=sec_admin)


def test_grid_roles_sit_at_their_level(make_user, sec_admin, gulou_street, gulou_community,
                                       district):
    person = make_user("t_level")
    with pytest.raises(ValidationError) as exc:
        actions.assign_role(person, Role.GRID_WORKER, gulou_community, actor=sec_admin)
    assert "area" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.assign_role(person, Role.GRID_CHIEF, gulou_street, actor=sec_admin)
    admin = make_user("t_level_admin")
    with pytest.raises(ValidationError):
        actions.assign_role(admin, Role.SYS_ADMIN, gulou_street, actor=sec_admin)
    actions.assign_role(person, Role.GRID_CHIEF, gulou_community, actor=sec_admin)


def test_role_rules_unknown_duplicate_inactive_and_self(make_user, sec_admin, sys_admin,
                                                       grid_worker, gulou_grid, district):
    with pytest.raises(ValidationError) as exc:
        actions.assign_role(grid_worker, "superuser", gulou_grid, actor=sec_admin)
    assert "role" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.assign_role(grid_worker, Role.GRID_WORKER, gulou_grid, actor=sec_admin)
    assert grid_worker.assignments.count() == 1
    with pytest.raises(PermissionDenied):
        actions.assign_role(sec_admin, Role.SEC_ADMIN, district, actor=sec_admin)
    with pytest.raises(PermissionDenied):
        actions.revoke_role(sec_admin.assignments.get(), actor=sec_admin)
    gone = make_user("t_gone")
    actions.deactivate_user(gone, actor=sys_admin)
    with pytest.raises(ValidationError):
        actions.assign_role(gone, Role.GRID_WORKER, gulou_grid, actor=sec_admin)


def test_last_security_administrator_cannot_be_revoked(make_user, district):
    from gridgov.accounts.models import Assignment as A

    holders = A.objects.filter(role=Role.SEC_ADMIN, user__is_active=True)
    first = make_user("t_sec_a", Role.SEC_ADMIN, district)
    second = make_user("t_sec_b", Role.SEC_ADMIN, district)
    # Revoke every other security administrator (the demo's too, when it is loaded).
    for other in holders.exclude(user__in=[first, second]):
        actions.revoke_role(other, actor=first)
    actions.revoke_role(second.assignments.get(), actor=first)
    assert holders.count() == 1
    with pytest.raises(ValidationError):
        actions.revoke_role(first.assignments.get(), actor=None)
    assert holders.count() == 1


def test_assignment_changes_scope_at_once(make_user, sec_admin, gulou_grid, gulou_street):
    from gridgov.core.access import get_scope

    person = make_user("t_scope", Role.GRID_WORKER, gulou_grid)
    assert get_scope(person).roles == {"grid_worker"}
    actions.assign_role(person, Role.LEADER, gulou_street, actor=sec_admin)
    assert get_scope(person).roles == {"grid_worker", "leader"}


# --- second factor --------------------------------------------------------------------------


def test_enroll_confirm_and_reset_totp(sys_admin, sec_admin):
    sys_admin.totp_secret = ""
    sys_admin.save()
    secret = actions.enroll_totp(sys_admin, actor=sys_admin)
    assert totp.valid_secret(secret)
    sys_admin.refresh_from_db()
    assert sys_admin.totp_secret == secret and not sys_admin.totp_confirmed
    assert actions.confirm_totp(sys_admin, "000000" if totp.current_code(secret) != "000000"
                                else "111111", actor=sys_admin) is False
    assert actions.confirm_totp(sys_admin, totp.current_code(secret), actor=sys_admin) is True
    sys_admin.refresh_from_db()
    assert sys_admin.totp_confirmed
    # A confirmed factor is not replaced by its owner ...
    with pytest.raises(ValidationError):
        actions.enroll_totp(sys_admin, actor=sys_admin)
    # ... only reset by the security administrator, who cannot reset their own.
    with pytest.raises(PermissionDenied):
        actions.reset_totp(sys_admin, actor=sys_admin)
    with pytest.raises(PermissionDenied):
        actions.reset_totp(sec_admin, actor=sec_admin)
    actions.reset_totp(sys_admin, actor=sec_admin)
    sys_admin.refresh_from_db()
    assert sys_admin.totp_secret == "" and not sys_admin.totp_confirmed
    # The secret never reaches the audit log.
    actions_logged = set(AuditRecord.objects.filter(object_type="accounts.user",
                                                    object_id=str(sys_admin.pk))
                         .values_list("action", flat=True))
    assert {"accounts.totp_enrolled", "accounts.totp_failed", "accounts.totp_confirmed",
            "accounts.totp_reset"} <= actions_logged
    assert secret not in all_changes_text("accounts.user")


def test_enroll_totp_with_a_fixed_secret_by_a_loader(audit_admin, sec_admin):
    secret = actions.enroll_totp(audit_admin, actor=None, secret="ev3t j7lv zmph 6ncv")
    assert secret == "EV3TJ7LVZMPH6NCV"
    with pytest.raises(ValidationError):
        actions.enroll_totp(audit_admin, actor=None, secret="not-base32!")
    with pytest.raises(PermissionDenied):
        # Nobody enrols a factor for someone else, not even the security administrator.
        actions.enroll_totp(audit_admin, actor=sec_admin)


# --- API keys -------------------------------------------------------------------------------


def test_issue_api_key_stores_only_a_hash(sys_admin, zhifa):
    key, raw = actions.issue_api_key(zhifa, name="执法系统对接", actor=sys_admin)
    assert raw.startswith("gg_") and len(raw) > 40
    assert key.prefix == raw[:12]
    assert key.key_hash == hash_key(raw)
    for row in ApiKey.objects.values():
        assert raw not in [str(v) for v in row.values()]
    rec = records("accounts.api_key_issued", object_id=str(key.pk)).get()
    assert raw not in str(rec.changes) + rec.remark + rec.object_repr
    assert key.created_by == sys_admin


def test_dept_admin_manages_only_own_department_keys(dept_admin, zhifa, minzheng, sec_admin,
                                                      dept_handler, sys_admin):
    key, _raw = actions.issue_api_key(zhifa, name="自用", actor=dept_admin)
    with pytest.raises(PermissionDenied):
        actions.issue_api_key(minzheng, name="别人的", actor=dept_admin)
    for actor in (sec_admin, dept_handler):
        with pytest.raises(PermissionDenied):
            actions.issue_api_key(zhifa, name="越权", actor=actor)
    other, _raw = actions.issue_api_key(minzheng, name="民政", actor=sys_admin)
    with pytest.raises(PermissionDenied):
        actions.revoke_api_key(other, actor=dept_admin)
    actions.revoke_api_key(key, actor=dept_admin)
    key.refresh_from_db()
    assert key.revoked_at is not None
    with pytest.raises(ValidationError):
        actions.revoke_api_key(key, actor=dept_admin)
    assert records("accounts.api_key_revoked", object_id=str(key.pk)).count() == 1


def test_api_key_needs_a_name_and_an_active_department(sys_admin, zhifa):
    with pytest.raises(ValidationError):
        actions.issue_api_key(zhifa, name=" ", actor=sys_admin)
    zhifa.is_active = False
    zhifa.save()
    with pytest.raises(ValidationError):
        actions.issue_api_key(zhifa, name="停用部门", actor=sys_admin)


def test_mask_phone():
    from gridgov.core.personal_data import mask_phone

    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_phone("12345") == "*****"
