"""Each API operation's permission is in the OpenAPI schema (``x-permissions``), every code
there is declared, and the accounts, areas and audit APIs declare one on every view."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from gridgov.core.access import declared_permissions
from gridgov.core.access.drf import PUBLIC

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}
DECLARING_APPS = ("gridgov.accounts.", "gridgov.areas.", "gridgov.audit.")


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_operation_carries_its_declared_permissions(client_as, sec_admin):
    response = client_as(sec_admin).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    document = json.loads(response.content)
    declared = set(declared_permissions())
    operations = list(_operations(document))
    assert len(operations) > 20
    for path, method, operation in operations:
        assert "x-permissions" in operation, (method, path)
        codes = operation["x-permissions"]
        assert isinstance(codes, list), (method, path)
        assert set(codes) - {PUBLIC} <= declared, (method, path, codes)
        assert "权限" in operation["description"], (method, path)
    by_key = {(m, p): op["x-permissions"] for p, m, op in operations}
    assert by_key[("get", "/api/v1/roles/")] == ["core.manage_roles"]
    assert by_key[("patch", "/api/v1/roles/{code}/")] == ["core.manage_roles"]
    assert by_key[("post", "/api/v1/areas/")] == ["areas.manage"]
    assert by_key[("get", "/api/v1/areas/")] == ["areas.view"]
    assert by_key[("get", "/api/v1/audit/records/")] == ["audit.view_log"]
    assert by_key[("post", "/api/v1/api-keys/{id}/revoke/")] == ["accounts.manage_api_keys"]
    assert by_key[("get", "/api/v1/me/")] == []


def _views(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            cls = getattr(entry.callback, "cls", None)
            if cls is not None:
                yield cls


def test_accounts_areas_and_audit_views_all_declare():
    views = {cls for cls in _views(get_resolver().url_patterns)
             if cls.__module__.startswith(DECLARING_APPS)}
    assert len(views) >= 5
    for cls in views:
        declares = hasattr(cls, "required_permission") or hasattr(cls, "required_permissions")
        assert declares, cls
