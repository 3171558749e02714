"""The OpenAPI schema: it is a valid OpenAPI 3 document, the docs page renders, and every GET
endpoint behaves as the schema says (schemathesis, stateless, as a signed-in street leader).

The number of generated examples is kept small so the suite stays fast; the point is that no
documented GET answers 5xx or a status code the schema does not list.
"""

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 12


def _schema_document() -> dict:
    """The schema exactly as /api/schema/ serves it, generated without a request."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw, renderer_context={}))


SCHEMA = schemathesis.openapi.from_dict(_schema_document())
GET_OPERATIONS = sorted(
    (result.ok() for result in SCHEMA.get_all_operations()
     if result.ok().method.upper() == "GET"),
    key=lambda op: op.path,
)


def test_schema_endpoint_serves_valid_openapi3(client_as, leader):
    response = client_as(leader).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    validate_schema(document)  # raises on any violation of the OpenAPI 3 JSON schema
    paths = document["paths"]
    for path in ("/api/areas/", "/api/areas/{code}/", "/api/areas/geojson/",
                 "/api/areas/{code}/geojson/", "/api/areas/lookup/"):
        assert "get" in paths[path], path
    lookup_params = {p["name"] for p in paths["/api/areas/lookup/"]["get"]["parameters"]}
    assert {"lng", "lat", "crs"} <= lookup_params
    list_params = {p["name"] for p in paths["/api/areas/"]["get"]["parameters"]}
    assert {"level", "kind", "parent", "within", "q", "generated"} <= list_params


def test_docs_page_renders(client_as, leader):
    response = client_as(leader).get("/api/docs/")
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


def test_every_get_operation_is_covered():
    paths = {op.path for op in GET_OPERATIONS}
    assert {"/api/areas/", "/api/areas/{code}/", "/api/areas/lookup/"} <= paths


@pytest.fixture
def keep_test_connection():
    """Calls go through the real WSGI handler, whose request signals would close the database
    connection (and with it the test's transaction) on PostgreSQL. Django's test client
    unhooks them the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("operation", GET_OPERATIONS, ids=lambda op: op.path)
def test_get_endpoint_conforms(operation, client_as, leader, gulou_grid, keep_test_connection):
    from gridgov.wsgi import application

    session = client_as(leader).cookies["sessionid"].value
    strategy = operation.as_strategy()
    # Random codes almost always miss; mix in a real one so the 200 path is exercised too.
    if operation.path.startswith("/api/areas/{code}"):
        strategy = st.one_of(
            strategy, operation.as_strategy(path_parameters={"code": gulou_grid.code})
        )

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call(app=application, cookies={"sessionid": session})
        case.validate_response(response, checks=checks)

    checks = [not_a_server_error, status_code_conformance]
    if operation.path.startswith("/api/areas/"):
        # The areas API also answers in exactly the shapes and content types it documents.
        checks += [response_schema_conformance, content_type_conformance]

    check()
