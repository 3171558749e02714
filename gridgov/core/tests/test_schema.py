"""The OpenAPI schema: it is a valid OpenAPI 3 document, the docs page renders, every
operation documents its error answers. That every operation behaves as the schema says is
test_schema_operations (schemathesis); that a client built from it reads every list and detail
is test_schema_client."""

import json

import pytest
from drf_spectacular.validation import validate_schema

from .schema_support import OPERATIONS, schema_document

pytestmark = pytest.mark.django_db

# Other apps' tests read the document through this name.
_schema_document = schema_document


def test_schema_endpoint_serves_valid_openapi3(client_as, leader):
    response = client_as(leader).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    validate_schema(document)  # raises on any violation of the OpenAPI 3 JSON schema
    paths = document["paths"]
    for path in ("/api/v1/areas/", "/api/v1/areas/{code}/", "/api/v1/areas/geojson/",
                 "/api/v1/areas/{code}/geojson/", "/api/v1/areas/lookup/"):
        assert "get" in paths[path], path
    lookup_params = {p["name"] for p in paths["/api/v1/areas/lookup/"]["get"]["parameters"]}
    assert {"lng", "lat", "crs"} <= lookup_params
    list_params = {p["name"] for p in paths["/api/v1/areas/"]["get"]["parameters"]}
    assert {"level", "kind", "parent", "within", "q", "generated"} <= list_params


def test_docs_page_renders(client_as, leader):
    response = client_as(leader).get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_every_operation_documents_the_error_answers():
    document = _schema_document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404", "429"} <= codes, (method, path)
            # Every view counts the API rate (gridgov.core.api_throttle).
            assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "400" in codes, (method, path)
            error = operation["responses"]["403"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorList"}
    assert "errors" in document["components"]["schemas"]["ErrorList"]["properties"]


def test_every_operation_is_covered():
    """test_schema_operations runs schemathesis over OPERATIONS: reads and writes alike."""
    covered = {(op.method.upper(), op.path) for op in OPERATIONS}
    assert {("GET", "/api/v1/areas/"), ("GET", "/api/v1/areas/{code}/"),
            ("POST", "/api/v1/events/report/"), ("PATCH", "/api/v1/roles/{code}/")} <= covered
    listed = {(m.upper(), p) for p, ops in schema_document()["paths"].items() for m in ops}
    assert covered == listed


def test_me_is_declared_as_one_object():
    operation = schema_document()["paths"]["/api/v1/me/"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Me"}
    assert not {p["name"] for p in operation.get("parameters", [])} & {"limit", "offset"}


def test_fields_the_server_leaves_empty_are_declared_nullable():
    schemas = schema_document()["components"]["schemas"]
    for component, field in (("EventList", "department_name"), ("EventDetail", "department_name"),
                             ("EventList", "category_name"), ("ApiKey", "created_by"),
                             ("Notification", "event_number")):
        assert schemas[component]["properties"][field].get("nullable") is True, (component, field)


def test_every_way_to_sign_in_is_a_security_scheme():
    """A mobile device's token (``Authorization: Device <token>``) signs API calls like a
    session or a department key; the schema declares it instead of leaving it out."""
    document = schema_document()
    schemes = document["components"]["securitySchemes"]
    assert schemes["DeviceTokenAuth"]["type"] == "apiKey"
    assert (schemes["DeviceTokenAuth"]["in"], schemes["DeviceTokenAuth"]["name"]) == (
        "header", "Authorization")
    security = document["paths"]["/api/v1/events/"]["get"]["security"]
    assert sorted(name for entry in security for name in entry) == [
        "ApiKeyAuth", "DeviceTokenAuth", "cookieAuth"]


def test_query_parameters_carry_no_title():
    """Generators name a parameter's enum after its title (a Chinese label): the label is the
    parameter's description, and its schema carries no title (test_generated_client)."""
    document = schema_document()
    state = next(p for p in document["paths"]["/api/v1/events/"]["get"]["parameters"]
                 if p["name"] == "state")
    assert state["description"].startswith("状态")
    assert "title" not in state["schema"] and "title" not in state["schema"]["items"]
    assert state["schema"]["items"]["enum"][:2] == ["closed", "completed"]


@pytest.mark.parametrize("url", ["/api/v1/areas/geojson/", "/api/v1/areas/330203/geojson/"])
def test_errors_of_a_geojson_endpoint_are_json(url, api_as, district_leader):
    """schemathesis found the error list of an unknown ``?format=`` labelled
    ``application/geo+json`` (the endpoint's first renderer); the schema says JSON."""
    client = api_as(district_leader)
    response = client.get(url, {"format": "nonsense"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"
    response = client.get(url, {"crs": "mars"}, HTTP_ACCEPT="application/geo+json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert [e["field"] for e in response.json()["errors"]] == ["crs"]
    # The answer itself keeps its type.
    ok = client.get(url, HTTP_ACCEPT="application/geo+json")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("application/geo+json")


def test_the_schema_documents_only_what_the_assessment_answers(api_as):
    """schemathesis found ``PATCH /api/v1/assess/appeals/{id}/`` documented but answering 405
    to everyone (an appeal changes only by its decision), and a snapshot's ranking documented
    as a paged list where it answers the whole ranking as an array."""
    from gridgov.events.tests import workflow_support as flow

    from .test_retry_every_write import appeal

    paths = schema_document()["paths"]
    assert set(paths["/api/v1/assess/appeals/{id}/"]) == {"get"}
    assert set(paths["/api/v1/assess/appeals/{id}/decide/"]) == {"post"}
    results = paths["/api/v1/assess/snapshots/{id}/results/"]["get"]
    body = results["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}
    assert [p["name"] for p in results["parameters"]] == ["id", "kind"]
    p = flow.people()
    pending = appeal(p)
    response = api_as(p["shift"]).patch(f"/api/v1/assess/appeals/{pending.pk}/",
                                        {"reason": "改理由"}, format="json")
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
    pending.refresh_from_db()
    assert pending.reason == "处置时限内遇暴雨停工" and pending.status == "pending"
