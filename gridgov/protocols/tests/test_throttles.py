"""Open311 and CKAN limits (issue 9, item 8): 429 with Retry-After in each protocol's own error
shape, per key or per client address, counted on the shared store (not the process cache)."""

import json
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client

from gridgov.accounts.actions import issue_api_key
from gridgov.accounts.models import Department

pytestmark = pytest.mark.django_db

OPEN311 = "/open311/v2/"
CKAN = "/api/3/action/"


@pytest.fixture
def key():
    _key, raw = issue_api_key(Department.objects.get(code="D034"), name="Open311 app",
                              actor=None)
    return raw


def _statuses(client, url, n, **headers):
    statuses = []
    for _ in range(n):
        cache.clear()  # another worker's empty cache: the count must not live there
        statuses.append(client.get(url, **headers).status_code)
    return statuses


# --- Open311 --------------------------------------------------------------------------------


def test_open311_anonymous_callers_get_429_in_the_spec_error_list(settings):
    settings.GRIDGOV_RATE_OPEN311_ANON = "2/min"
    client = Client(REMOTE_ADDR="198.51.100.1")
    assert _statuses(client, OPEN311 + "services.json", 2) == [200, 200]
    response = client.get(OPEN311 + "services.json")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert 0 < int(response["Retry-After"]) <= 60
    body = json.loads(response.content)
    assert len(body) == 1 and body[0]["code"] == 429 and "请求过于频繁" in body[0]["description"]
    # XML clients get the spec's <errors><error> list.
    response = client.get(OPEN311 + "requests.xml")
    assert response.status_code == 429 and "Retry-After" in response
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.find("error").findtext("code") == "429"
    # Another address has its own count.
    assert Client(REMOTE_ADDR="198.51.100.2").get(OPEN311 + "services.json").status_code == 200


def test_open311_keys_count_apart_and_made_up_keys_count_as_anonymous(settings, key):
    settings.GRIDGOV_RATE_OPEN311_ANON = "2/min"
    settings.GRIDGOV_RATE_OPEN311 = "3/min"
    client = Client(REMOTE_ADDR="198.51.100.3")
    url = OPEN311 + "requests.json"
    assert _statuses(client, url + "?api_key=gg_made_up_1", 1) == [403]
    assert _statuses(client, url + "?api_key=gg_made_up_2", 1) == [403]
    assert _statuses(client, url + "?api_key=gg_made_up_3", 1) == [429]
    # The department key has its own, larger count, whatever the address.
    assert _statuses(client, url + f"?api_key={key}", 4) == [200, 200, 200, 429]
    assert _statuses(Client(REMOTE_ADDR="198.51.100.4"), url,
                     1, HTTP_AUTHORIZATION=f"Api-Key {key}") == [429]


def test_open311_post_is_limited_per_key(settings, key, gulou_grid):
    from gridgov.events.tests.helpers_command import category, point_in

    settings.GRIDGOV_RATE_OPEN311 = "1/min"
    lng, lat = point_in(gulou_grid)
    data = {"api_key": key, "service_code": category().code, "lat": f"{lat:.6f}",
            "long": f"{lng:.6f}", "description": "路灯不亮"}
    client = Client()
    assert client.post(OPEN311 + "requests.json", {**data, "token": "t1"}).status_code == 200
    response = client.post(OPEN311 + "requests.json", {**data, "token": "t2"})
    assert response.status_code == 429
    assert json.loads(response.content)[0]["code"] == 429


# --- CKAN -----------------------------------------------------------------------------------


def test_ckan_anonymous_callers_get_429_in_the_ckan_envelope(settings):
    settings.GRIDGOV_RATE_CKAN_ANON = "2/min"
    client = Client(REMOTE_ADDR="198.51.100.5")
    assert _statuses(client, CKAN + "package_list", 2) == [200, 200]
    response = client.get(CKAN + "package_list")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    body = json.loads(response.content)
    assert body["success"] is False
    assert body["error"]["__type"] == "Too Many Requests"
    assert "请求过于频繁" in body["error"]["message"]
    assert "help" in body


def test_ckan_keys_have_their_own_count(settings, zhifa_key):
    settings.GRIDGOV_RATE_CKAN_ANON = "1/min"
    settings.GRIDGOV_RATE_CKAN = "2/min"
    client = Client(REMOTE_ADDR="198.51.100.6")
    assert _statuses(client, CKAN + "package_list", 2) == [200, 429]
    assert _statuses(client, CKAN + "package_list", 3,
                     HTTP_AUTHORIZATION=zhifa_key) == [200, 200, 429]
    # A made-up key is refused and counted as anonymous (no fresh count per key).
    assert _statuses(client, CKAN + "package_list", 1, HTTP_AUTHORIZATION="gg_nope") == [429]
