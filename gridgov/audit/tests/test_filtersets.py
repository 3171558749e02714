"""AuditRecordFilterSet: each filter on records written for the test, bad values through the
API, and that filters never widen what ``restrict()`` let through (only the audit
administrator reads the log)."""

import pytest

from gridgov.audit.filtersets import AuditRecordFilterSet
from gridgov.audit.models import AuditRecord
from gridgov.audit.recorder import record
from gridgov.core.context import request_context

pytestmark = pytest.mark.django_db

LIST = "/api/audit/records/"


@pytest.fixture
def records(clock, grid_worker, leader):
    """Three records of the ``ft.`` actions on two days, two requests and two addresses."""
    clock.set(2026, 3, 1, 23, 30)  # local time: the last half hour of 1 March
    with request_context("req-one", "10.0.0.1"):
        a = record("ft.report", actor=grid_worker, object_type="ft.thing", object_id="1")
    clock.set(2026, 3, 2, 0, 30)  # local time: the first half hour of 2 March
    with request_context("req-two", "10.0.0.2"):
        b = record("ft.report", actor=leader, object_type="ft.thing", object_id="2")
        c = record("ft.review", actor=leader, object_type="ft.other", object_id="1")
    return a, b, c


def pks(data, queryset=None):
    base = AuditRecord.objects.filter(action__startswith="ft.")
    fs = AuditRecordFilterSet(data, queryset=queryset if queryset is not None else base)
    assert fs.is_valid(), fs.errors
    return set(fs.qs.values_list("pk", flat=True))


def test_actor_is_a_case_blind_part_of_the_name(records, grid_worker):
    a, b, c = records
    assert pks({"actor": grid_worker.username.upper()}) == {a.pk}
    assert pks({"actor": "leader_"}) == {b.pk, c.pk}


def test_action_is_a_prefix(records):
    a, b, c = records
    assert pks({"action": "ft.report"}) == {a.pk, b.pk}
    assert pks({"action": "ft."}) == {a.pk, b.pk, c.pk}
    assert pks({"action": "report"}) == set()


def test_object_type_and_id_are_exact(records):
    a, b, c = records
    assert pks({"object_type": "ft.thing"}) == {a.pk, b.pk}
    assert pks({"object_type": "ft"}) == set()
    assert pks({"object_id": "1"}) == {a.pk, c.pk}
    assert pks({"object_type": "ft.thing", "object_id": "1"}) == {a.pk}


def test_request_id_and_client_ip(records):
    a, b, c = records
    assert pks({"request_id": "req-two"}) == {b.pk, c.pk}
    assert pks({"client_ip": "10.0.0.1"}) == {a.pk}
    assert pks({"client_ip": "10.0.0"}) == set()


def test_since_and_until_are_local_days_both_included(records):
    a, b, c = records
    assert pks({"since": "2026-03-02"}) == {b.pk, c.pk}
    assert pks({"until": "2026-03-01"}) == {a.pk}
    assert pks({"since": "2026-03-01", "until": "2026-03-01"}) == {a.pk}
    assert pks({"since": "2026-03-03"}) == set()


@pytest.mark.parametrize("data,field", [({"since": "yesterday"}, "since"),
                                        ({"until": "2026-02-30"}, "until")])
def test_invalid_dates_name_the_field(data, field):
    fs = AuditRecordFilterSet(data, queryset=AuditRecord.objects.all())
    assert not fs.is_valid()
    assert field in fs.errors


def test_the_api_filters_and_answers_bad_values_with_400(api_as, audit_admin, records):
    a, b, c = records
    api = api_as(audit_admin)
    body = api.get(LIST, {"action": "ft.", "object_type": "ft.thing"}).json()
    assert {r["id"] for r in body["results"]} == {a.pk, b.pk}
    response = api.get(LIST, {"since": "yesterday"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"since"}


def test_the_page_shows_bad_values_without_rows(client_as, audit_admin, records):
    response = client_as(audit_admin).get("/audit/", {"until": "never"})
    assert response.status_code == 200
    assert "until" in response.context["filter_form"].errors
    assert not response.context["records"]


def test_filters_never_widen_the_scope(records, leader, audit_admin, sys_admin):
    a, b, c = records
    assert pks({"action": "ft."}, AuditRecord.objects.restrict(audit_admin)) == {a.pk, b.pk, c.pk}
    for user in (leader, sys_admin):
        restricted = AuditRecord.objects.restrict(user)
        assert pks({"action": "ft."}, restricted) == set()
        assert pks({"actor": user.username}, restricted) == set()
