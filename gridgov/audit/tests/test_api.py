"""/api/audit/records/: read-only, the same filters as the pages, audit administrator only."""

import pytest
from django.db import transaction

from gridgov.audit.recorder import record

pytestmark = pytest.mark.django_db

URL = "/api/audit/records/"


@pytest.fixture
def sample(clock):
    clock.set(2026, 4, 1, 8)
    with transaction.atomic():
        first = record("test.api.one", object_type="test.thing", object_id="1",
                       before={"x": 1}, after={"x": 2})
    clock.set(2026, 4, 3, 8)
    with transaction.atomic():
        second = record("test.api.two", object_type="test.thing", object_id="2")
    return first, second


def test_audit_admin_lists_and_reads(api_as, audit_admin, sample):
    first, second = sample
    client = api_as(audit_admin)
    response = client.get(URL, {"action": "test.api."})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [second.pk, first.pk]
    detail = client.get(f"{URL}{first.pk}/").json()
    assert detail["changes"] == {"x": [1, 2]}
    assert detail["chain_key"] == "test.thing:1" and detail["seq"] == 1
    assert len(detail["hash"]) == 64


@pytest.mark.parametrize("params,expected", [
    ({"since": "2026-04-02", "action": "test.api."}, ["two"]),
    ({"until": "2026-04-01", "action": "test.api."}, ["one"]),
    ({"object_type": "test.thing", "object_id": "2"}, ["two"]),
    ({"actor": "system", "action": "test.api.one"}, ["one"]),
])
def test_filters_are_the_pages_filters(api_as, audit_admin, sample, params, expected):
    response = api_as(audit_admin).get(URL, params)
    assert [r["action"].rsplit(".", 1)[1] for r in response.json()["results"]] == expected


def test_bad_filter_is_a_400_with_the_field(api_as, audit_admin):
    response = api_as(audit_admin).get(URL, {"since": "yesterday"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "since"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_there_is_no_write_route(api_as, audit_admin, sample, method):
    client = api_as(audit_admin)
    assert getattr(client, method)(URL, {}, format="json").status_code == 405
    assert getattr(client, method)(f"{URL}{sample[0].pk}/", {},
                                   format="json").status_code == 405


@pytest.mark.parametrize("who", ["sys_admin", "sec_admin", "leader", "district_leader",
                                 "grid_worker", "data_officer"])
def test_everyone_else_gets_404(request, api_as, sample, who):
    client = api_as(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}{sample[0].pk}/").status_code == 404


def test_anonymous_is_refused(client):
    assert client.get(URL).status_code in (401, 403)


def test_department_api_key_gets_404(client, sample):
    from gridgov.accounts.actions import issue_api_key
    from gridgov.accounts.models import Department

    department = Department.objects.order_by("code").first()
    _key, raw = issue_api_key(department, name="审计测试", actor=None)
    response = client.get(URL, HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 404
