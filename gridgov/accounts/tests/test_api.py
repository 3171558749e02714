"""``/api/me/``, ``/api/departments/``, ``/api/api-keys/`` and API-key authentication."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.accounts import actions
from gridgov.accounts.models import ApiKey
from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def key_client(raw, header="Authorization"):
    client = APIClient()
    if header == "Authorization":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    else:
        client.credentials(HTTP_X_API_KEY=raw)
    return client


# --- /api/me/ -------------------------------------------------------------------------------


def test_me_describes_the_user_with_masked_phone(grid_worker, gulou_grid, api_as):
    data = api_as(grid_worker).get("/api/me/").json()
    assert data["username"] == grid_worker.username
    assert data["real_name"] == grid_worker.real_name
    assert data["phone"] == "138****5678"
    assert data["department"] is None
    assert data["roles"] == [{"role": "grid_worker", "role_display": "网格员",
                              "area": {"code": gulou_grid.code, "name": gulou_grid.name,
                                       "level": "grid"}}]
    assert data["is_api_client"] is False
    assert data["second_factor"] == {"required": False, "enrolled": False, "verified": False}


def test_me_of_department_staff_and_admins(dept_handler, zhifa, sys_admin, api_as):
    data = api_as(dept_handler).get("/api/me/").json()
    assert data["department"] == {"id": zhifa.pk, "code": zhifa.code, "name": zhifa.name}
    admin = api_as(sys_admin).get("/api/me/").json()
    assert admin["roles"][0]["role"] == "sys_admin"
    assert admin["second_factor"]["required"] is True
    assert admin["second_factor"]["verified"] is True


def test_me_needs_sign_in(db):
    response = APIClient().get("/api/me/")
    assert response.status_code in (401, 403)
    assert "errors" in response.json()


def test_me_of_an_api_client(zhifa, sys_admin):
    _key, raw = actions.issue_api_key(zhifa, name="对接", actor=sys_admin)
    data = key_client(raw).get("/api/me/").json()
    assert data["is_api_client"] is True
    assert data["department"]["code"] == zhifa.code
    assert data["roles"] == []


# --- /api/departments/ ----------------------------------------------------------------------


def test_departments_list_filter_search_detail(grid_worker, zhifa, minzheng, gulou_street,
                                               api_as):
    from gridgov.accounts.models import Department

    street_office = Department.objects.filter(code="S330203005").first() or (
        actions.create_department(code="S330203005", name="鼓楼街道办事处", kind="street",
                                  area=gulou_street, actor=None))
    client = api_as(grid_worker)
    codes = {d["code"] for d in client.get("/api/departments/?limit=1000").json()["results"]}
    assert codes == set(Department.objects.values_list("code", flat=True))
    assert {zhifa.code, minzheng.code, street_office.code} <= codes
    street = client.get("/api/departments/?kind=street&limit=1000").json()["results"]
    assert street_office.code in {d["code"] for d in street}
    assert zhifa.code not in {d["code"] for d in street}
    assert all(d["kind"] == "street" for d in street)
    by_area = client.get(f"/api/departments/?area={gulou_street.code}").json()["results"]
    assert [d["code"] for d in by_area] == list(
        Department.objects.filter(area=gulou_street).values_list("code", flat=True))
    assert street_office.code in [d["code"] for d in by_area]
    assert zhifa.code not in [d["code"] for d in by_area]
    within = client.get("/api/departments/?within=330203005").json()["results"]
    assert {d["code"] for d in within} == set(Department.objects.filter(
        area__code__startswith="330203005").values_list("code", flat=True))
    found = client.get("/api/departments/?q=测试民政").json()["results"]
    assert [d["code"] for d in found] == [minzheng.code]
    detail = client.get(f"/api/departments/{zhifa.pk}/").json()
    assert detail["name"] == zhifa.name and detail["area"]["code"] == "330203"
    assert detail["kind_display"] == "政府部门"
    assert client.get("/api/departments/999999/").status_code == 404
    bad = client.get("/api/departments/?kind=bureau")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"


def test_departments_are_read_only_through_the_api(sys_admin, api_as, zhifa):
    client = api_as(sys_admin)
    assert client.post("/api/departments/", {"code": "T999", "name": "x"}).status_code == 405
    assert client.delete(f"/api/departments/{zhifa.pk}/").status_code == 405


# --- /api/api-keys/ -------------------------------------------------------------------------


def test_issue_key_through_the_api_returns_raw_key_once(dept_admin, zhifa, api_as):
    client = api_as(dept_admin)
    response = client.post("/api/api-keys/", {"name": "执法系统"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert response["Cache-Control"] == "no-store"
    raw = body["key"]
    assert body["department"]["id"] == zhifa.pk and raw.startswith(body["prefix"])
    key = ApiKey.objects.get(pk=body["id"])
    assert key.key_hash != raw and raw not in key.key_hash
    detail = client.get(f"/api/api-keys/{key.pk}/").json()
    assert "key" not in detail and detail["is_active"] is True
    listing = client.get("/api/api-keys/").json()
    assert raw not in str(listing)
    assert AuditRecord.objects.filter(action="accounts.api_key_issued",
                                      object_id=str(key.pk)).exists()


def test_api_key_scope_by_role(dept_admin, other_dept_admin, sys_admin, zhifa, minzheng,
                               api_as, leader, sec_admin, audit_admin):
    own, _ = actions.issue_api_key(zhifa, name="a", actor=sys_admin)
    other, _ = actions.issue_api_key(minzheng, name="b", actor=sys_admin)
    ids = {k["id"] for k in api_as(dept_admin).get("/api/api-keys/").json()["results"]}
    assert own.pk in ids and other.pk not in ids
    assert api_as(dept_admin).get(f"/api/api-keys/{other.pk}/").status_code == 404
    assert api_as(dept_admin).post(f"/api/api-keys/{other.pk}/revoke/").status_code == 404
    all_ids = {k["id"] for k in api_as(sys_admin).get("/api/api-keys/").json()["results"]}
    assert {own.pk, other.pk} <= all_ids
    for user in (leader, sec_admin, audit_admin):
        assert api_as(user).get("/api/api-keys/").status_code == 403
        assert api_as(user).post("/api/api-keys/", {"department": zhifa.pk, "name": "x"},
                                 format="json").status_code == 403
    refused = api_as(dept_admin).post("/api/api-keys/", {"department": minzheng.pk,
                                                         "name": "x"}, format="json")
    assert refused.status_code == 403
    missing = api_as(sys_admin).post("/api/api-keys/", {"name": "no dept"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "department"
    blank = api_as(sys_admin).post("/api/api-keys/", {"department": zhifa.pk, "name": ""},
                                   format="json")
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "name"


def test_api_key_authenticates_updates_last_used_and_revoked_gets_401(dept_admin, zhifa,
                                                                      api_as):
    created = api_as(dept_admin).post("/api/api-keys/", {"name": "对接"}, format="json").json()
    raw = created["key"]
    key = ApiKey.objects.get(pk=created["id"])
    assert key.last_used_at is None
    assert key_client(raw).get("/api/departments/").status_code == 200
    assert key_client(raw, header="X-API-Key").get("/api/departments/").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    # Touched at most once a minute.
    key.last_used_at = timezone.now() - dt.timedelta(minutes=5)
    key.save(update_fields=["last_used_at"])
    key_client(raw).get("/api/me/")
    key.refresh_from_db()
    assert timezone.now() - key.last_used_at < dt.timedelta(minutes=1)
    # An API client manages no keys.
    assert key_client(raw).get("/api/api-keys/").status_code == 403
    revoked = api_as(dept_admin).post(f"/api/api-keys/{key.pk}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["is_active"] is False
    response = key_client(raw).get("/api/departments/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    again = api_as(dept_admin).post(f"/api/api-keys/{key.pk}/revoke/")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "key"


def test_unknown_key_gets_401(db):
    assert key_client("gg_not-a-real-key").get("/api/departments/").status_code == 401


def test_key_of_an_inactive_department_gets_401(zhifa, sys_admin):
    _key, raw = actions.issue_api_key(zhifa, name="x", actor=sys_admin)
    zhifa.is_active = False
    zhifa.save()
    assert key_client(raw).get("/api/departments/").status_code == 401


# --- schema ---------------------------------------------------------------------------------


def test_schema_is_valid_and_documents_the_accounts_api(grid_worker, api_as):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = schema["paths"]
    for path in ("/api/v1/me/", "/api/v1/departments/", "/api/v1/departments/{id}/",
                 "/api/v1/api-keys/", "/api/v1/api-keys/{id}/", "/api/v1/api-keys/{id}/revoke/"):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/departments/"]["get"]["parameters"]}
    assert {"kind", "area", "within", "q"} <= params
    assert api_as(grid_worker).get("/api/schema/").status_code == 200


def test_key_lookup_reads_one_row_and_no_outline(zhifa, sys_admin, rf,
                                                 django_assert_num_queries):
    """Authentication is one narrow query: the department's area comes without its outline
    (large JSON, which once cost more than the rest of an API request)."""
    from gridgov.accounts.api.authentication import ApiKeyAuthentication
    from gridgov.core.access import get_scope

    _key, raw = actions.issue_api_key(zhifa, name="窄查询", actor=sys_admin)
    ApiKey.objects.filter(pk=_key.pk).update(last_used_at=timezone.now())
    request = rf.get("/api/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    with django_assert_num_queries(1) as captured:
        client, key = ApiKeyAuthentication().authenticate(request)
        scope = get_scope(client)
        label = str(client)
    assert "geometry" not in captured.captured_queries[0]["sql"]
    assert "geometry" in key.department.area.get_deferred_fields()
    assert scope.department_id == zhifa.pk and scope.is_api_client
    assert scope.role_areas == (("api_client", zhifa.area.code),)
    assert zhifa.name in label
