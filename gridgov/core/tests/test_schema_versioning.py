"""The versioned REST API: ``/api/v1/`` is the API, ``/api/`` its deprecated alias
(gridgov.core.versioning, docs/api.md), and CKAN's paths under ``/api/`` are left alone."""

import pytest
from django.urls import reverse
from django.utils.http import parse_http_date

from gridgov.core import versioning

from .schema_support import DOCUMENT

pytestmark = pytest.mark.django_db


def test_the_schema_lists_the_versioned_paths_only(api_as, grid_worker):
    assert DOCUMENT["paths"]
    assert all(path.startswith("/api/v1/") for path in DOCUMENT["paths"])
    api = api_as(grid_worker)
    served = api.get("/api/v1/schema/?format=json").json()
    assert served["paths"].keys() == DOCUMENT["paths"].keys()
    # The alias serves the same document (still the v1 paths), marked deprecated.
    alias = api.get("/api/schema/?format=json")
    assert alias.json()["paths"].keys() == DOCUMENT["paths"].keys()
    assert alias.has_header("Deprecation")
    # Operation ids and tags do not carry the version: a v2 client keeps its method names.
    assert DOCUMENT["paths"]["/api/v1/areas/"]["get"]["operationId"] == "areas_list"
    assert DOCUMENT["paths"]["/api/v1/me/"]["get"]["operationId"] == "me_retrieve"


def test_route_names_reverse_to_the_versioned_path():
    assert reverse("area-list") == "/api/v1/areas/"
    assert reverse("event-detail", args=[7]) == "/api/v1/events/7/"
    assert reverse("schema") == "/api/v1/schema/"
    assert reverse(f"{versioning.ALIAS_NAMESPACE}:area-list") == "/api/areas/"


def test_the_alias_answers_the_same_and_says_it_is_deprecated(api_as, leader, settings):
    settings.GRIDGOV_API_ALIAS_SUNSET = "2028-06-30"
    api = api_as(leader)
    current = api.get("/api/v1/areas/", {"level": "grid", "limit": 2})
    alias = api.get("/api/areas/", {"level": "grid", "limit": 2})
    assert alias.status_code == current.status_code == 200
    assert alias.json()["results"] == current.json()["results"]
    for name in ("Deprecation", "Sunset", "Link"):
        assert not current.has_header(name), name
    assert alias["Deprecation"] == "@1796083200"  # 2026-12-01T00:00:00Z, RFC 9745
    assert parse_http_date(alias["Sunset"]) == 1845936000  # 2028-06-30T00:00:00Z
    assert ('<http://testserver/api/v1/areas/?level=grid&limit=2>; rel="successor-version"'
            in alias["Link"])
    assert '<http://testserver/api/v1/docs/>; rel="deprecation"' in alias["Link"]
    # Paging links stay on the path the client chose.
    assert alias.json()["next"].startswith("http://testserver/api/areas/?")


def test_errors_and_writes_through_the_alias(api_as, grid_worker):
    api = api_as(grid_worker)
    missing = api.get("/api/events/999999999/")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "not_found"
    assert missing.has_header("Deprecation")
    first = api.post("/api/notifications/read-all/", {}, format="json",
                     HTTP_IDEMPOTENCY_KEY="alias-1")
    again = api.post("/api/notifications/read-all/", {}, format="json",
                     HTTP_IDEMPOTENCY_KEY="alias-1")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.has_header("Deprecation")
    # A key is bound to the path it was first used with (docs/api.md).
    other = api.post("/api/v1/notifications/read-all/", {}, format="json",
                     HTTP_IDEMPOTENCY_KEY="alias-1")
    assert other.status_code == 422


def test_ckan_keeps_its_paths_without_deprecation(client):
    from gridgov.accounts import actions
    from gridgov.accounts.models import Department

    _key, raw = actions.issue_api_key(Department.objects.get(code="D034"), name="c", actor=None)
    for path in ("/api/3/action/package_list", "/api/action/package_list"):
        response = client.get(path, HTTP_AUTHORIZATION=raw)
        assert response.status_code == 200, path
        assert response.json()["success"] is True
        assert not response.has_header("Deprecation"), path
    assert client.get("/api/3").json()["version"] == 3
    assert client.get("/api/v1/3/action/package_list").status_code == 404
