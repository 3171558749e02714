"""The scope chokepoint for accounts: ``restrict()`` on User, Department and ApiKey per role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from gridgov.accounts import actions
from gridgov.accounts.api.authentication import ApiClient
from gridgov.accounts.models import ApiKey, Department, User
from gridgov.core.access import Scope, get_scope

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


def test_scope_object_prefix_rules():
    scope = Scope(user_id=1, roles=frozenset({"leader", "grid_worker"}),
                  role_areas=(("leader", "330203005"), ("grid_worker", "330203005001001")))
    assert scope.area_codes == ("330203005",)
    assert scope.covers("330203005001")
    assert not scope.covers("330203001001")
    assert scope.covers("330203005001001", roles=["grid_worker"])
    assert not scope.covers("330203005002001", roles=["grid_worker"])
    assert scope.ancestor_codes() == {"330203"}
    assert not scope.is_admin
    assert Scope(user_id=2, roles=frozenset({"audit_admin"})).is_admin


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
    assert not scope.roles
    assert Department.objects.restrict(client).count() == Department.objects.count()
    assert not Department.objects.restrict(client, "change").exists()
    assert not ApiKey.objects.restrict(client).exists()
    assert not User.objects.restrict(client, "change").exists()


def test_restrict_rejects_unknown_actions(people):
    with pytest.raises(ValueError):
        User.objects.restrict(people["leader"], "delete")
