"""Query-count guards: the audit log page and the audit API list cost the same number of
queries whether they show 5 records or 50 (nothing is looked up per row), and stay under a
fixed ceiling, for the audit administrator."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridgov.audit.recorder import record

pytestmark = pytest.mark.django_db

PAGE = reverse("audit:records")
API = "/api/audit/records/"
# The ceilings: the session, the user, the scope (role assignments), the count and the page
# of records (6 for the page, 4 for the API when written); two to spare, none per row.
PAGE_MAX_QUERIES = 8
API_MAX_QUERIES = 6


def add_records(count, actor, start=0):
    """``count`` records by ``actor`` on distinct objects, actions under ``qc.``."""
    for i in range(start, start + count):
        record("qc.probe", actor=actor, object_type="qc.thing", object_id=str(i),
               object_repr=f"对象 {i}", changes={"n": [i, i + 1]}, remark="查询计数")


def count_queries(get):
    with CaptureQueriesContext(connection) as captured:
        response = get()
    assert response.status_code == 200
    return response, len(captured)


@pytest.mark.parametrize("params", [{"action": "qc."}, {}], ids=["filtered", "whole-log"])
def test_audit_page_queries_do_not_grow_with_records(client_as, audit_admin, grid_worker,
                                                     params):
    client = client_as(audit_admin)
    add_records(5, grid_worker)
    client.get(PAGE, params)  # warm up: session, permission table, translations
    few, few_queries = count_queries(lambda: client.get(PAGE, params))
    add_records(45, grid_worker, start=5)
    many, many_queries = count_queries(lambda: client.get(PAGE, params))

    shown = many.context["records"]
    assert len(shown) == 50
    assert all(r.action == "qc.probe" for r in shown)  # newest first: ours
    if params:
        assert len(few.context["records"]) == 5
    assert many_queries == few_queries, (few_queries, many_queries)
    assert many_queries <= PAGE_MAX_QUERIES, many_queries


def test_audit_api_queries_do_not_grow_with_records(api_as, audit_admin, grid_worker):
    api = api_as(audit_admin)
    params = {"action": "qc.", "limit": 100}
    add_records(5, grid_worker)
    api.get(API, params)  # warm up
    few, few_queries = count_queries(lambda: api.get(API, params))
    add_records(45, grid_worker, start=5)
    many, many_queries = count_queries(lambda: api.get(API, params))

    assert few.json()["count"] == 5 and len(few.json()["results"]) == 5
    assert many.json()["count"] == 50 and len(many.json()["results"]) == 50
    assert {r["actor_name"] for r in many.json()["results"]} == {grid_worker.username}
    assert many_queries == few_queries, (few_queries, many_queries)
    assert many_queries <= API_MAX_QUERIES, many_queries


def test_the_guards_count_for_the_audit_administrator_only(client_as, api_as, grid_worker,
                                                            leader):
    """The same URLs for anybody else: 404, so the counts above are of the real list."""
    add_records(5, grid_worker)
    assert client_as(leader).get(PAGE).status_code == 404
    assert api_as(leader).get(API).status_code == 404
