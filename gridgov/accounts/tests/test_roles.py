"""角色与权限: the security administrator's role pages and ``/api/roles/``,
``/api/permissions/``; everybody else gets 403, and every change is audited."""

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.core.models import RoleDefinition

pytestmark = pytest.mark.django_db

OTHERS = ["sys_admin", "audit_admin", "leader", "dept_admin", "grid_worker"]


def test_role_list_shows_every_role_with_its_permission_count(client_as, sec_admin):
    response = client_as(sec_admin).get("/accounts/roles/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "角色与权限" in html and "新建角色" in html
    roles = {r.code: r for r in response.context["roles"]}
    assert {"grid_worker", "leader", "sec_admin", "api_client"} <= set(roles)
    leader = RoleDefinition.objects.get(code="leader")
    assert roles["leader"].permission_count == leader.permissions.filter(
        is_declared=True).count() > 0
    assert 'href="/accounts/roles/leader/"' in html


def test_role_page_groups_permissions_by_app_as_checkboxes(client_as, sec_admin):
    response = client_as(sec_admin).get("/accounts/roles/sys_admin/")
    assert response.status_code == 200
    html = response.content.decode()
    groups = {g["app"]: g for g in response.context["groups"]}
    assert groups["accounts"]["label"] == "账号与权限" and groups["areas"]["label"] == "区域与网格"
    checked = {i["code"] for g in groups.values() for i in g["items"] if i["checked"]}
    assert {"accounts.manage_users", "areas.manage"} <= checked
    assert "core.manage_roles" not in checked
    assert 'value="areas.manage" checked' in html
    assert "维护区域" in html and "内置角色" in html
    assert client_as(sec_admin).get("/accounts/roles/nobody/").status_code == 404


def test_create_a_role_on_the_page_then_tick_its_permissions(client_as, sec_admin):
    client = client_as(sec_admin)
    assert client.get("/accounts/roles/new/").status_code == 200
    response = client.post("/accounts/roles/new/", {
        "code": "assessor", "name": "考核员", "description": "", "area_levels": ["district"],
        "order": 150,
    })
    assert response.status_code == 302 and response["Location"] == "/accounts/roles/assessor/"
    role = RoleDefinition.objects.get(code="assessor")
    assert role.area_levels == ["district"] and not role.permissions.exists()
    response = client.post("/accounts/roles/assessor/permissions/",
                           {"permissions": ["areas.view", "accounts.view_users"]}, follow=True)
    assert "已保存角色“考核员”的权限" in response.content.decode()
    assert set(role.permissions.values_list("code", flat=True)) == {
        "areas.view", "accounts.view_users"}
    actions = set(AuditRecord.objects.filter(object_type="core.roledefinition",
                                             object_id=str(role.pk))
                  .values_list("action", flat=True))
    assert actions == {"core.role_created", "core.role_updated"}
    # A bad code comes back on the form; an unknown permission as a message.
    again = client.post("/accounts/roles/new/", {"code": "assessor", "name": "另一个",
                                                 "order": 1})
    assert again.status_code == 200 and "已存在" in again.content.decode()
    bad = client.post("/accounts/roles/assessor/permissions/", {"permissions": ["no.such"]},
                      follow=True)
    assert "未知的权限" in bad.content.decode()


def test_role_pages_refuse_everyone_else(request, client_as):
    for who in OTHERS:
        client = client_as(request.getfixturevalue(who))
        for url in ("/accounts/roles/", "/accounts/roles/new/", "/accounts/roles/leader/"):
            assert client.get(url).status_code == 403, (who, url)
        response = client.post("/accounts/roles/leader/permissions/", {"permissions": []})
        assert response.status_code == 403, who
    assert RoleDefinition.objects.get(code="leader").permissions.exists()


def test_roles_api(api_as, sec_admin):
    client = api_as(sec_admin)
    listing = client.get("/api/roles/").json()
    by_code = {r["code"]: r for r in listing}
    assert by_code["sec_admin"]["admin_duty"] and by_code["sec_admin"]["builtin"]
    assert "core.manage_roles" in by_code["sec_admin"]["permissions"]
    assert client.get("/api/roles/leader/").json()["name"] == "领导"
    created = client.post("/api/roles/", {"code": "assessor", "name": "考核员",
                                          "permissions": ["areas.view"]}, format="json")
    assert created.status_code == 201 and created.json()["permissions"] == ["areas.view"]
    changed = client.patch("/api/roles/assessor/", {"name": "考核专员", "order": 5},
                           format="json")
    assert changed.status_code == 200
    assert changed.json()["name"] == "考核专员" and changed.json()["permissions"] == ["areas.view"]
    bad = client.post("/api/roles/", {"code": "x1", "name": "x1", "permissions": ["no.such"]},
                      format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "permissions"
    refused = client.patch("/api/roles/leader/", {"department_bound": True}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "department_bound"
    assert client.get("/api/roles/nobody/").status_code == 404
    perms = {p["code"]: p for p in client.get("/api/permissions/").json()}
    assert perms["areas.manage"]["app_label"] == "区域与网格"
    assert "sys_admin" in perms["areas.manage"]["roles"]
    role = RoleDefinition.objects.get(code="assessor")
    audit = AuditRecord.objects.filter(object_type="core.roledefinition",
                                       object_id=str(role.pk)).order_by("id")
    assert [r.action for r in audit] == ["core.role_created", "core.role_updated"]
    assert audit[1].changes["name"] == ["考核员", "考核专员"]


def test_roles_api_refuses_everyone_else(request, api_as):
    for who in OTHERS:
        client = api_as(request.getfixturevalue(who))
        assert client.get("/api/roles/").status_code == 403, who
        assert client.get("/api/permissions/").status_code == 403, who
        response = client.post("/api/roles/", {"code": "assessor", "name": "考核员"},
                               format="json")
        assert response.status_code == 403, who
        assert client.patch("/api/roles/leader/", {"permissions": []},
                            format="json").status_code == 403, who
    assert not RoleDefinition.objects.filter(code="assessor").exists()


def test_assign_role_checks_the_table(sec_admin, make_user, district, gulou_grid, zhifa):
    from django.core.exceptions import ValidationError

    from gridgov.accounts import actions
    from gridgov.core import actions as core_actions

    person = make_user("t_person")
    with pytest.raises(ValidationError, match="未知的角色"):
        actions.assign_role(person, "assessor", district, actor=sec_admin)
    with pytest.raises(ValidationError, match="不能分配给人员"):
        actions.assign_role(person, "api_client", district, actor=sec_admin)
    core_actions.create_role(code="assessor", name="考核员", area_levels=["district"],
                             actor=sec_admin)
    with pytest.raises(ValidationError, match="只能分配在以下层级"):
        actions.assign_role(person, "assessor", gulou_grid, actor=sec_admin)
    core_actions.create_role(code="dept_assessor", name="部门考核员", department_bound=True,
                             actor=sec_admin)
    with pytest.raises(ValidationError, match="须先为用户指定所属部门"):
        actions.assign_role(person, "dept_assessor", district, actor=sec_admin)
    actions.assign_role(person, "assessor", district, actor=sec_admin)
    # The separated duties stay exclusive with a new role too.
    with pytest.raises(ValidationError, match="三员分立"):
        actions.assign_role(person, "audit_admin", district, actor=sec_admin)
    staffed = make_user("t_dept_person", department=zhifa)
    assert actions.assign_role(staffed, "dept_assessor", district, actor=sec_admin).pk
