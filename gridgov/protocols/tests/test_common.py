"""What the adapters share: the one key lookup, permissions as data, and the error plumbing."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from gridgov.accounts.api.authentication import authenticate_key
from gridgov.accounts.models import ApiKey
from gridgov.core.actions import set_role_permissions
from gridgov.core.models import RoleDefinition
from gridgov.protocols.common import ProtocolError, as_protocol_error, protocol_errors
from gridgov.protocols.open311 import views as open311_views

pytestmark = pytest.mark.django_db


def test_authenticate_key_refuses_unknown_revoked_and_inactive(zhifa, zhifa_key):
    from gridgov.accounts.actions import revoke_api_key

    assert authenticate_key("") is None
    assert authenticate_key("gg_nope") is None
    client = authenticate_key(zhifa_key)
    assert client.department_id == zhifa.pk and client.build_scope().is_api_client
    type(zhifa).objects.filter(pk=zhifa.pk).update(is_active=False)
    assert authenticate_key(zhifa_key) is None
    type(zhifa).objects.filter(pk=zhifa.pk).update(is_active=True)
    revoke_api_key(ApiKey.objects.get(department=zhifa), actor=None)
    assert authenticate_key(zhifa_key) is None


def test_authenticate_key_touches_last_used_at_at_most_once_a_minute(zhifa_key,
                                                                     django_assert_num_queries):
    key = ApiKey.objects.get(department__code="D034")
    assert key.last_used_at is None
    with django_assert_num_queries(2):  # the lookup, the touch
        authenticate_key(zhifa_key)
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # used within the minute: no write
        authenticate_key(zhifa_key)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - dt.timedelta(minutes=5))
    authenticate_key(zhifa_key)
    key.refresh_from_db()
    assert timezone.now() - key.last_used_at < dt.timedelta(minutes=1)


def _revoke(permission):
    """An administrator takes ``permission`` away from department API keys (data, no code)."""
    role = RoleDefinition.objects.get(code="api_client")
    codes = set(role.permissions.values_list("code", flat=True))
    assert permission in codes
    set_role_permissions(role, codes - {permission}, actor=None)


def test_ckan_rows_follow_the_permission_table(client, resource, granted, zhifa_key):
    url = "/api/3/action/datastore_search"
    query = {"resource_id": resource.code, "limit": 2}
    response = client.get(url, query, HTTP_AUTHORIZATION=zhifa_key)
    assert json.loads(b"".join(response.streaming_content))["success"] is True
    _revoke("protocols.read_rows")
    refused = client.get(url, query, HTTP_AUTHORIZATION=zhifa_key)
    assert refused.status_code == 403
    assert refused.json()["error"]["__type"] == "Authorization Error"
    # Listing the catalog is not reading rows: still allowed.
    assert client.get("/api/3/action/package_list", HTTP_AUTHORIZATION=zhifa_key).json()[
        "success"] is True


def test_open311_reporting_follows_the_permission_table(client, zhifa_key, gulou_grid):
    from gridgov.events.models import Event
    from gridgov.events.tests.helpers_command import category, point_in

    lng, lat = point_in(gulou_grid)
    data = {"api_key": zhifa_key, "service_code": category().code, "lat": f"{lat:.6f}",
            "long": f"{lng:.6f}", "description": "路边暴露垃圾"}
    assert client.post("/open311/v2/requests.json", data).status_code == 200
    _revoke("protocols.open311_report")
    response = client.post("/open311/v2/requests.json", dict(data, description="又一处"))
    assert response.status_code == 403
    assert [e["code"] for e in response.json()] == [403]
    assert Event.objects.filter(source="open311").count() == 1


# --- errors ---------------------------------------------------------------------------------


def test_django_errors_become_protocol_errors():
    invalid = as_protocol_error(ValidationError({"lat": ["超出范围", "必须是数字"]}),
                                invalid_status=409)
    assert (invalid.status, invalid.fields) == (409, {"lat": ["超出范围", "必须是数字"]})
    assert invalid.message == "超出范围; 必须是数字"
    plain = as_protocol_error(ValidationError("坏了"))
    assert (plain.status, plain.messages, plain.fields) == (400, ["坏了"], {})
    assert as_protocol_error(PermissionDenied(), denied_message="不行").messages == ["不行"]
    assert as_protocol_error(PermissionDenied("密钥已吊销")).messages == ["密钥已吊销"]
    missing = as_protocol_error(Http404(), not_found_message="没有")
    assert (missing.status, missing.messages) == (404, ["没有"])
    own = ProtocolError(400, "a", "b")
    assert as_protocol_error(own) is own and own.message == "a; b"


def test_open311_names_the_field_in_each_description():
    @open311_views._guard
    def view(request, fmt):
        raise ValidationError({"lat": ["超出范围", "必须是数字"], "long": ["缺少"]})

    response = view(RequestFactory().get("/"), fmt="json")
    assert response.status_code == 400
    assert json.loads(response.content) == [
        {"code": 400, "description": "lat: 超出范围; 必须是数字"},
        {"code": 400, "description": "long: 缺少"},
    ]


def test_protocol_errors_hands_the_view_arguments_to_the_renderer():
    seen = []

    @protocol_errors(lambda request, error, name: seen.append((name, error.status)) or "answer")
    def view(request, name):
        raise Http404

    assert view(RequestFactory().get("/"), name="package_show") == "answer"
    assert seen == [("package_show", 404)]
