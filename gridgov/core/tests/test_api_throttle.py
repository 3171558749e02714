"""The REST API's throttles (issue 9, item 8): 429 with Retry-After in the API's error shape,
per person (session and device token alike), per department key and per address, counted on
the shared store."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from gridgov.accounts import device_actions
from gridgov.accounts.actions import issue_api_key
from gridgov.accounts.models import Department

pytestmark = pytest.mark.django_db

ME = "/api/me/"


def _statuses(client, url, n):
    statuses = []
    for _ in range(n):
        cache.clear()  # another worker's empty cache: the count must not live there
        statuses.append(client.get(url).status_code)
    return statuses


def test_a_person_over_the_api_rate_gets_429(settings, api_as, grid_worker, grid_worker2):
    settings.GRIDGOV_RATE_API = "3/min"
    api = api_as(grid_worker)
    assert _statuses(api, ME, 3) == [200, 200, 200]
    response = api.get(ME)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["errors"][0]["code"] == "throttled"
    # Someone else is not held back.
    assert api_as(grid_worker2).get(ME).status_code == 200


def test_a_persons_device_and_session_share_one_count(settings, api_as, grid_worker):
    settings.GRIDGOV_RATE_API = "3/min"
    _token, raw = device_actions.issue_device_token(name="手机", actor=grid_worker)
    device = APIClient()
    device.credentials(HTTP_AUTHORIZATION=f"Device {raw}")
    assert _statuses(api_as(grid_worker), ME, 2) == [200, 200]
    assert _statuses(device, ME, 2) == [200, 429]


def test_department_keys_count_per_key(settings):
    settings.GRIDGOV_RATE_API = "2/min"
    dept = Department.objects.get(code="D034")
    clients = []
    for name in ("a", "b"):
        _key, raw = issue_api_key(dept, name=name, actor=None)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        clients.append(client)
    url = "/api/areas/?limit=1"
    assert _statuses(clients[0], url, 3) == [200, 200, 429]
    assert _statuses(clients[1], url, 1) == [200]


def test_anonymous_callers_count_per_address(settings):
    settings.GRIDGOV_RATE_API_ANON = "2/min"
    client = APIClient(REMOTE_ADDR="192.0.2.10")
    assert _statuses(client, "/api/docs/", 3) == [200, 200, 429]
    assert APIClient(REMOTE_ADDR="192.0.2.11").get("/api/docs/").status_code == 200


def test_refused_credentials_count_per_address_too(settings, api_as, grid_worker):
    """Requests refused with 401 (no credentials, or a made-up key or token) never reached
    the throttle, so key guessing was unlimited (probe, session 21: 280 such requests from one
    address, all 401, none 429). They count under the anonymous rate now."""
    settings.GRIDGOV_RATE_API_ANON = "3/min"
    client = APIClient(REMOTE_ADDR="192.0.2.20")
    assert _statuses(client, "/api/events/", 2) == [401, 401]
    client.credentials(HTTP_AUTHORIZATION="Api-Key not-a-real-key")
    assert _statuses(client, "/api/events/", 1) == [401]
    client.credentials(HTTP_AUTHORIZATION="Device not-a-real-token")
    response = client.get("/api/events/")
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    assert response.json()["errors"][0]["code"] == "throttled"
    # Another address, and a signed-in person, are not held back.
    assert APIClient(REMOTE_ADDR="192.0.2.21").get("/api/events/").status_code == 401
    assert api_as(grid_worker).get(ME).status_code == 200


def test_hotline_import_api_is_limited_per_person(settings, api_as, intake_clerk):
    settings.GRIDGOV_RATE_IMPORT = "2/hour"
    api = api_as(intake_clerk)
    statuses = [api.post("/api/events/hotline/", {"records": []}, format="json").status_code
                for _ in range(3)]
    assert statuses == [400, 400, 429]
    response = api.post("/api/events/hotline/", {"records": []}, format="json")
    # An hour window fixed to the clock: what is left of it, however little.
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 3600
