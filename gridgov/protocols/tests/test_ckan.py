"""The CKAN-compatible API (``gridgov.protocols.ckan``), through the real ``ckanapi`` client
(RemoteCKAN against a live server thread on the test's transaction) and through plain HTTP for
the envelope and errors."""

import json

import ckanapi
import pytest
from django.test import Client

from gridgov.sharing.models import ExchangeLog

from .conftest import make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(resource, minzheng, zhifa, data_officer, dept_admin):
    """Three more resources: open unconditional, not shared, and one of 综合执法."""
    open_one = make_resource(minzheng, data_officer, sharing_type="unconditional",
                             name="养老机构名录", catalog="003", rows=3, open_attribute="open",
                             tags=["养老"], groups=["legal_person"])
    hidden = make_resource(minzheng, data_officer, sharing_type="not_shared",
                           name="特殊人群名单", catalog="004", tags=["特殊人群"])
    theirs = make_resource(zhifa, dept_admin, sharing_type="unconditional",
                           name="违法建筑台账", category="2", catalog="001", tags=["违建"],
                           groups=["spatial"])
    return {"conditional": resource, "open": open_one, "not_shared": hidden, "zhifa": theirs}


def test_ckanapi_reads_the_catalog(server_url, catalog, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    assert ckan.action.status_show()["api_version"] == 3
    # The whole published catalog (the demo's resources too), not-shared entries included,
    # when the private ones are asked for (issue 10: they used to come without asking).
    names = ckan.action.package_list(include_private=True)
    assert {r.code for r in catalog.values()} <= set(names)
    assert names == sorted(names)
    package = ckan.action.package_show(id=catalog["conditional"].code)
    assert package["title"] == "高龄独居老人名册"
    assert package["organization"]["name"] == "d016"
    assert [d["name"] for d in package["data_items"]][:2] == ["name", "id_number"]
    assert package_show_by_uuid(ckan, catalog["conditional"])["name"] == package["name"]
    assert {"d016", "d034"} <= set(ckan.action.organization_list())
    org = ckan.action.organization_show(id="d034", include_datasets=True)
    assert org["package_count"] == len(org["packages"])
    assert "违法建筑台账" in [p["title"] for p in org["packages"]]
    assert "population" in ckan.action.group_list()
    table = ckan.action.resource_show(id=package["resources"][0]["id"])
    assert table["package_id"] == package["id"]
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-dataset")


def package_show_by_uuid(ckan, resource):
    return ckan.action.package_show(id=str(resource.uid))


def test_ckanapi_package_search(server_url, catalog, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    # The catalog fixture's private datasets are asked for (issue 10: include_private).
    result = ckan.action.package_search(q="名册", rows=10, include_private=True)
    assert [p["title"] for p in result["results"]] == ["高龄独居老人名册"]
    result = ckan.action.package_search(q="周岁", fq="organization:d016", sort="name asc",
                                        rows=2, start=1, include_private=True,
                                        **{"facet.field": ["tags", "organization"]})
    assert result["count"] == 3
    assert len(result["results"]) == 2
    assert result["facets"]["organization"] == {"d016": 3}
    assert result["facets"]["tags"] == {"独居": 1, "老年人": 1, "养老": 1, "特殊人群": 1}
    items = result["search_facets"]["organization"]["items"]
    assert items[0]["display_name"] == "区民政局"
    result = ckan.action.package_search(fq='tags:"违建"', rows=100)
    assert catalog["zhifa"].code in [p["name"] for p in result["results"]]
    assert all("违建" in [t["name"] for t in p["tags"]] for p in result["results"])
    result = ckan.action.package_search(fq='organization:d034 -tags:"违建"', rows=100)
    assert catalog["zhifa"].code not in [p["name"] for p in result["results"]]
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(sort="bogus desc")


def test_ckanapi_datastore_search_granted(server_url, catalog, granted, zhifa_key):
    ckan = ckanapi.RemoteCKAN(server_url, apikey=zhifa_key)
    table_id = str(catalog["conditional"].table_uid)
    result = ckan.action.datastore_search(resource_id=table_id, limit=10, offset=5)
    assert result["total"] == 25
    assert [f["id"] for f in result["fields"]] == ["_id", "name", "id_number", "age"]
    assert len(result["records"]) == 10
    assert result["records"][0]["id_number"].count("*") == 8
    assert "phone" not in result["records"][0]
    filtered = ckan.action.datastore_search(resource_id=table_id, filters={"age": 85})
    assert {r["name"] for r in filtered["records"]} == {"老人005", "老人025"} - {"老人025"}
    searched = ckan.action.datastore_search(resource_id=table_id, q="老人01")
    assert searched["total"] == 10
    assert ExchangeLog.objects.filter(channel="ckan").count() == 3
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=table_id, filters={"phone": "1"})


def test_ckanapi_datastore_search_needs_a_grant(server_url, catalog, zhifa_key):
    table_id = str(catalog["conditional"].table_uid)
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(server_url, apikey=zhifa_key).action.datastore_search(
            resource_id=table_id)
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(server_url).action.datastore_search(resource_id=table_id)


def test_ckanapi_get_only_and_anonymous(server_url, catalog):
    # Anonymous callers see only what is open to the public.
    ckan = ckanapi.RemoteCKAN(server_url, get_only=True)
    names = ckan.action.package_list()
    assert catalog["open"].code in names
    assert catalog["conditional"].code not in names and catalog["zhifa"].code not in names
    assert all(ckan.action.package_show(id=n)["extras"][7]["value"] == "open" for n in names)
    organizations = ckan.action.organization_list()
    assert "d016" in organizations and "d034" not in organizations
    # GET sends a list as repeated parameters.
    result = ckan.action.package_search(**{"facet.field": ["organization", "groups"]})
    assert set(result["facets"]) == {"organization", "groups"}


def test_ckanapi_revoked_key(server_url, catalog, zhifa_key):
    from gridgov.accounts import actions as account_actions
    from gridgov.accounts.models import ApiKey

    account_actions.revoke_api_key(ApiKey.objects.get(department__code="D034"), actor=None)
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(server_url, apikey=zhifa_key).action.package_list()


# --- plain HTTP ------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/api/3/action/", "/api/action/"])
def test_envelope_on_both_mount_points(prefix, catalog, zhifa_key):
    client = Client()
    # include_private: the fixture's conditional and not-shared entries are private.
    response = client.get(prefix + "package_list", {"include_private": "true"},
                          HTTP_AUTHORIZATION=f"Api-Key {zhifa_key}")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and "help_show?name=package_list" in body["help"]
    assert {r.code for r in catalog.values()} <= set(body["result"])
    form = client.post(prefix + "package_show", {"id": catalog["open"].code})
    assert form.status_code == 200 and form.json()["result"]["title"] == "养老机构名录"


@pytest.mark.parametrize("name,params,status,etype", [
    ("package_show", {"id": "missing"}, 404, "Not Found Error"),
    ("package_show", {}, 409, "Validation Error"),
    ("package_search", {"rows": "x"}, 409, "Validation Error"),
    ("package_search", {"fq": "creator:me"}, 409, "Validation Error"),
    ("datastore_search", {"resource_id": "x"}, 403, "Authorization Error"),
    ("organization_show", {"id": "nobody"}, 404, "Not Found Error"),
    ("package_create", {"name": "x"}, 400, "Bad Request"),
])
def test_error_shapes(name, params, status, etype, catalog):
    response = Client().post(f"/api/3/action/{name}", json.dumps(params),
                             content_type="application/json")
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False
    assert body["error"]["__type"] == etype
    assert body["error"]["message"]


def test_bad_json_body_is_400():
    response = Client().post("/api/3/action/package_list", "{not json",
                             content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_raw_authorization_header_is_accepted(catalog, zhifa_key):
    response = Client().get("/api/action/package_list", HTTP_AUTHORIZATION=zhifa_key)
    assert catalog["zhifa"].code in response.json()["result"]
    bad = Client().get("/api/action/package_list", HTTP_AUTHORIZATION="gg_nope")
    assert bad.status_code == 403
    assert bad.json()["error"]["__type"] == "Authorization Error"


def test_datastore_stream_hash_is_evidence(catalog, granted, zhifa_key):
    import hashlib

    response = Client().get("/api/3/action/datastore_search", {
        "resource_id": catalog["conditional"].code, "limit": 3},
        HTTP_AUTHORIZATION=zhifa_key, HTTP_X_CASE_ID="C-1")
    body = b"".join(response.streaming_content)
    parsed = json.loads(body)
    assert parsed["success"] and len(parsed["result"]["records"]) == 3
    log = ExchangeLog.objects.get()
    assert log.response_sha256 == hashlib.sha256(body).hexdigest()
    assert log.row_count == 3 and log.case_id == "C-1" and log.channel == "ckan"


def test_key_use_is_recorded_on_the_key(catalog, zhifa_key):
    from gridgov.accounts.models import ApiKey

    key = ApiKey.objects.get(department__code="D034")
    assert key.last_used_at is None
    Client().get("/api/3/action/package_list", HTTP_AUTHORIZATION=zhifa_key)
    key.refresh_from_db()
    assert key.last_used_at is not None
