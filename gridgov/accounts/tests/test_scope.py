"""The ``Scope`` (permissions, department-bound roles, axes) and the accounts chokepoint:
``restrict()`` on User, Department and ApiKey per role."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from gridgov.accounts import actions
from gridgov.accounts.api.authentication import ApiClient
from gridgov.accounts.models import ApiKey, Department, User
from gridgov.core.access import Scope, get_scope, register_axis
from gridgov.core.access.scope import _AXES

pytestmark = pytest.mark.django_db

STAFF = ["grid_worker", "grid_worker2", "other_grid_worker", "grid_chief", "leader",
         "district_leader", "dept_handler", "dept_admin", "other_dept_admin", "data_officer",
         "sys_admin", "sec_admin", "audit_admin"]


@pytest.fixture
def people(request):
    return {name: request.getfixturevalue(name) for name in STAFF}


@pytest.fixture
def keys(people, zhifa, minzheng):
    own, _ = actions.issue_api_key(zhifa, name="执法", actor=None)
    other, _ = actions.issue_api_key(minzheng, name="民政", actor=None)
    return {"zhifa": own, "minzheng": other}


def visible(user, action="view"):
    return set(User.objects.restrict(user, action).values_list("username", flat=True))


GRANTS = {
    "leader": frozenset({"events.view", "areas.view"}),
    "grid_worker": frozenset({"events.view", "events.report_patrol", "areas.view"}),
    "dept_handler": frozenset({"events.view", "events.claim"}),
    "audit_admin": frozenset({"audit.view_log"}),
}


def make_scope(role_areas, department_id=None, **kwargs):
    return Scope(user_id=1, roles=frozenset(r for r, _ in role_areas),
                 role_areas=tuple(role_areas), department_id=department_id, grants=GRANTS,
                 department_roles=frozenset({"dept_handler"}),
                 admin_roles=frozenset({"audit_admin"}), **kwargs)


def test_scope_permissions_come_from_the_roles_grants():
    scope = make_scope([("leader", "330203005"), ("grid_worker", "330203005001001")])
    assert scope.permissions == {"events.view", "events.report_patrol", "areas.view"}
    assert scope.can("events.report_patrol") and scope.can("audit.view_log", "areas.view")
    assert not scope.can("audit.view_log")
    assert scope.roles_with("events.report_patrol") == {"grid_worker"}
    assert scope.roles_with("events.view") == {"leader", "grid_worker"}


def test_scope_areas_by_permission_prefix_rules():
    scope = make_scope([("leader", "330203005"), ("grid_worker", "330203005001001")])
    assert scope.area_codes == ("330203005",)
    assert scope.codes_for("events.view") == ("330203005",)
    # Patrol reports only where the grid worker role is held: its own grid.
    assert scope.codes_for("events.report_patrol") == ("330203005001001",)
    assert scope.covers("330203005001", "events.view")
    assert not scope.covers("330203001001", "events.view")
    assert scope.covers("330203005001001", "events.report_patrol")
    assert not scope.covers("330203005002001", "events.report_patrol")
    assert not scope.covers("330203005001001", "audit.view_log")
    assert str(scope.area_q("area_code", "audit.view_log")) == str(Q(pk__in=[]))
    assert scope.area_q("area_code", "events.report_patrol") == Q(
        area_code__startswith="330203005001001")
    assert scope.ancestor_codes() == {"330203"}
    assert not scope.is_admin
    assert make_scope([("audit_admin", "330203")]).is_admin


def test_scope_department_bound_roles():
    handler = make_scope([("dept_handler", "330203")], department_id=7)
    assert handler.department_can("events.claim")
    assert handler.roles_with("events.view", department_bound=True) == {"dept_handler"}
    assert not handler.roles_with("events.view", department_bound=False)
    # A department role reaches its department's work, not the area it is filed under.
    assert handler.codes_for("events.view", department_bound=False) == ()
    assert handler.codes_for("events.view", department_bound=True) == ("330203",)
    # Without a department (or through an area role) there is no department reach.
    assert not make_scope([("dept_handler", "330203")]).department_can("events.claim")
    assert not make_scope([("leader", "330203")], department_id=7).department_can("events.view")


def test_scope_axes_are_registered_and_computed_once():
    calls = []

    def granted_resources(scope):
        calls.append(scope.user_id)
        return {1, 2} if scope.department_id else set()

    register_axis("test.resources", granted_resources)
    try:
        scope = make_scope([("dept_handler", "330203")], department_id=7)
        assert scope.axis("test.resources") == {1, 2}
        assert scope.axis("test.resources") == {1, 2}
        assert calls == [1]
        assert make_scope([("leader", "330203")]).axis("test.resources") == frozenset()
        with pytest.raises(KeyError):
            scope.axis("test.unknown")
    finally:
        _AXES.pop("test.resources", None)


def test_user_scope_reads_the_role_table(people):
    scope = get_scope(people["dept_admin"])
    assert scope.roles == {"dept_admin"}
    assert scope.department_id == people["dept_admin"].department_id
    assert scope.department_can("accounts.manage_api_keys")
    assert not scope.roles_with("accounts.manage_api_keys", department_bound=False)
    sys_scope = get_scope(people["sys_admin"])
    assert sys_scope.roles_with("accounts.manage_api_keys", department_bound=False)
    assert sys_scope.is_admin and not scope.is_admin


def test_grid_worker_sees_own_grid_people_and_changes_only_self(people):
    me = people["grid_worker"]
    seen = visible(me)
    assert me.username in seen
    # People working the same grid, nobody from the neighbouring grid or another street.
    same_grid = set(User.objects.filter(assignments__area__code="330203005001001")
                    .values_list("username", flat=True))
    assert seen == same_grid | {me.username}
    for name in ("grid_worker2", "other_grid_worker", "grid_chief", "leader", "sys_admin"):
        assert people[name].username not in seen, name
    assert visible(me, "change") == {me.username}


def test_community_and_street_reach(people):
    chief = visible(people["grid_chief"])
    assert {people["grid_worker"].username, people["grid_worker2"].username} <= chief
    assert people["other_grid_worker"].username not in chief
    assert people["leader"].username not in chief
    street = visible(people["leader"])
    assert {people["grid_worker"].username, people["grid_chief"].username} <= street
    assert people["other_grid_worker"].username not in street
    assert people["district_leader"].username not in street
    district = visible(people["district_leader"])
    assert {people["other_grid_worker"].username, people["leader"].username} <= district
    for name in ("grid_chief", "leader", "district_leader", "dept_handler", "data_officer"):
        assert visible(people[name], "change") == {people[name].username}


def test_sys_and_sec_admin_see_every_account(people, make_user):
    loner = make_user("t_no_role")
    everyone = set(User.objects.values_list("username", flat=True))
    for name in ("sys_admin", "sec_admin"):
        assert visible(people[name]) == everyone
        assert visible(people[name], "change") == everyone
    assert loner.username not in visible(people["district_leader"])
    # The audit administrator reads the log, not the accounts: changes only themselves.
    assert visible(people["audit_admin"], "change") == {people["audit_admin"].username}


def test_inactive_and_anonymous_reach_nothing(people):
    user = people["leader"]
    actions.deactivate_user(user, actor=None)
    user = User.objects.get(pk=user.pk)
    assert visible(user) == {user.username}
    assert get_scope(user).roles == frozenset()
    assert not User.objects.restrict(AnonymousUser()).exists()
    assert not Department.objects.restrict(AnonymousUser()).exists()
    assert not ApiKey.objects.restrict(AnonymousUser()).exists()


def test_departments_readable_by_all_changed_by_sys_admin(people, zhifa):
    total = Department.objects.count()
    for name, user in people.items():
        assert Department.objects.restrict(user).count() == total, name
        expected = total if name == "sys_admin" else 0
        assert Department.objects.restrict(user, "change").count() == expected, name


def test_api_keys_by_role(people, keys):
    all_ids = set(ApiKey.objects.values_list("pk", flat=True))
    for action in ("view", "change"):
        assert set(ApiKey.objects.restrict(people["sys_admin"], action)
                   .values_list("pk", flat=True)) == all_ids
        assert set(ApiKey.objects.restrict(people["dept_admin"], action)
                   .values_list("pk", flat=True)) == set(
            ApiKey.objects.filter(department=keys["zhifa"].department)
            .values_list("pk", flat=True))
        other = set(ApiKey.objects.restrict(people["other_dept_admin"], action)
                    .values_list("pk", flat=True))
        assert keys["minzheng"].pk in other and keys["zhifa"].pk not in other
        for name in STAFF:
            if name in ("sys_admin", "dept_admin", "other_dept_admin"):
                continue
            assert not ApiKey.objects.restrict(people[name], action).exists(), name


def test_api_client_scope(keys):
    client = ApiClient(keys["zhifa"])
    scope = get_scope(client)
    assert scope.is_api_client and scope.department_id == keys["zhifa"].department_id
    # Keys hold the "api_client" pseudo-role over their department's area: what they may do
    # is that role's row of the table.
    assert scope.roles == {"api_client"}
    assert scope.can("areas.view_all")
    assert not scope.can("accounts.manage_api_keys", "accounts.view_users")
    assert Department.objects.restrict(client).count() == Department.objects.count()
    assert not Department.objects.restrict(client, "change").exists()
    assert not ApiKey.objects.restrict(client).exists()
    assert not User.objects.restrict(client, "change").exists()


def test_restrict_rejects_unknown_actions(people):
    with pytest.raises(ValueError):
        User.objects.restrict(people["leader"], "delete")
