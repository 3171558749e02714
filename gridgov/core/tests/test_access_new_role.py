"""THE test of roles as data: a security administrator adds a role "考核员" (assessor) with a
chosen set of permissions, without code, assigns it, and its holder reaches exactly what the
table says, in pages, the API and an export; a permission taken away takes effect at once.
"""

import pytest

from gridgov.accounts import actions as account_actions
from gridgov.accounts.models import User
from gridgov.audit.models import AuditRecord
from gridgov.core.models import RoleDefinition

pytestmark = pytest.mark.django_db

CHOSEN = ["accounts.view_users", "areas.view", "audit.export_log", "audit.view_log"]

ALLOWED_PAGES = ["/areas/", "/map/", "/accounts/users/", "/audit/", "/audit/export.csv"]
# Pages of permissions the role was not given: 403 (the audit pages hide as 404).
FORBIDDEN_PAGES = ["/accounts/departments/", "/accounts/departments/new/",
                   "/accounts/api-keys/", "/accounts/roles/", "/accounts/locks/",
                   "/accounts/users/new/"]
ALLOWED_API = ["/api/areas/", "/api/areas/geojson/?level=street", "/api/audit/records/",
               "/api/departments/", "/api/me/"]
FORBIDDEN_API = ["/api/api-keys/", "/api/roles/", "/api/permissions/"]


@pytest.fixture
def assessor(sys_admin, sec_admin, district, api_as):
    """The role made through the API by the security administrator, and a person holding it
    (created by the system administrator, the role assigned by the security administrator)."""
    response = api_as(sec_admin).post("/api/roles/", {
        "code": "assessor", "name": "考核员", "area_levels": ["district"],
        "description": "读取各部门考核依据", "permissions": CHOSEN,
    }, format="json")
    assert response.status_code == 201, response.content
    assert sorted(response.json()["permissions"]) == CHOSEN
    user = account_actions.create_user(username="t_assessor", real_name="考核员甲",
                                       password="Haishu#2026", actor=sys_admin)
    account_actions.assign_role(user, "assessor", district, actor=sec_admin)
    return user


def _nav(client):
    return {item["key"] for item in client.get("/").context["gg_nav"]}


def test_a_new_role_reaches_exactly_what_its_table_says(client_as, api_as, sec_admin,
                                                        assessor, district, gulou_grid,
                                                        settings):
    settings.GRIDGOV_EXPORT_INLINE_ROWS = 10**9  # exports answer in the request, not as a job
    role = RoleDefinition.objects.get(code="assessor")
    created = AuditRecord.objects.get(action="core.role_created", object_id=str(role.pk))
    assert created.actor_id == sec_admin.pk
    assert AuditRecord.objects.filter(action="accounts.role_assigned",
                                      object_id=str(assessor.pk)).exists()

    page = client_as(assessor)
    for url in ALLOWED_PAGES:
        assert page.get(url).status_code == 200, url
    for url in FORBIDDEN_PAGES:
        assert page.get(url).status_code == 403, url
    assert page.get("/audit/verify/").status_code == 404
    users = page.get("/accounts/users/", {"q": "t_assessor"}).content.decode()
    assert "t_assessor" in users and "新建用户" not in users
    # Scope follows the table too: held at the district, the role reads its areas.
    codes = {a["code"] for a in api_as(assessor).get("/api/areas/?limit=1000").json()["results"]}
    assert district.code in codes and len(codes) > 100
    assert "考核员" in page.get("/").content.decode()
    assert {"areas", "map", "users", "audit"} <= _nav(page)
    assert not {"departments", "api_keys", "roles", "locks"} & _nav(page)

    api = api_as(assessor)
    for url in ALLOWED_API:
        assert api.get(url).status_code == 200, url
    for url in FORBIDDEN_API:
        assert api.get(url).status_code == 403, url
    assert api.post("/api/areas/", {}, format="json").status_code == 403
    grid = gulou_grid
    found = api.get("/api/areas/lookup/", {"lng": grid.centroid_lng, "lat": grid.centroid_lat})
    assert found.status_code == 200 and found.json()["grid"]["code"] == grid.code
    assert api.post("/api/roles/", {"code": "x", "name": "x"}, format="json").status_code == 403

    export = page.get("/audit/export.csv")
    assert export["Content-Type"].startswith("text/csv")
    assert AuditRecord.objects.filter(action="audit.export", actor=assessor).exists()

    # The export is taken away through the API: the log is still readable, the export not.
    admin_api = api_as(sec_admin)
    kept = [code for code in CHOSEN if code != "audit.export_log"]
    response = admin_api.patch("/api/roles/assessor/", {"permissions": kept}, format="json")
    assert response.status_code == 200 and sorted(response.json()["permissions"]) == kept
    assert page.get("/audit/export.csv").status_code == 404
    assert page.get("/audit/").status_code == 200

    # And the log itself through the role's page (checkboxes): gone from pages, API and menu.
    kept.remove("audit.view_log")
    response = client_as(sec_admin).post("/accounts/roles/assessor/permissions/",
                                         {"permissions": kept})
    assert response.status_code == 302
    assert sorted(RoleDefinition.objects.get(code="assessor").permissions
                  .values_list("code", flat=True)) == kept
    assert page.get("/audit/").status_code == 404
    # A fresh principal, as every real request has (the test client keeps one user object,
    # and with it the scope resolved for it).
    api = api_as(User.objects.get(pk=assessor.pk))
    assert api.get("/api/audit/records/").status_code == 404
    assert "audit" not in _nav(page)
    assert page.get("/accounts/users/").status_code == 200
    updates = AuditRecord.objects.filter(action="core.role_updated", object_id=str(role.pk))
    assert updates.count() == 2 and {r.actor_id for r in updates} == {sec_admin.pk}


def test_a_role_without_permissions_reaches_nothing(client_as, api_as, sec_admin, assessor):
    response = api_as(sec_admin).patch("/api/roles/assessor/", {"permissions": []},
                                       format="json")
    assert response.status_code == 200
    page, api = client_as(assessor), api_as(assessor)
    for url in [*ALLOWED_PAGES[:4], *FORBIDDEN_PAGES]:
        assert page.get(url).status_code in (403, 404), url
    assert api.get("/api/areas/").status_code == 403
    assert page.get("/").status_code == 200
    nav = _nav(page)
    assert {"home", "password"} <= nav <= {"home", "password", "notifications"}
