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
            assert {"401", "403", "404"} <= codes, (method, path)
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
