"""The read-only API: scope, filters, query-count guard."""

import pytest

from gridgov.needs import actions

from .support import build_known

pytestmark = pytest.mark.django_db


@pytest.fixture
def known():
    build_known()
    actions.refresh_needs(actor=None)


def test_counts_inside_scope_with_filters(known, grid_chief, api_as,
                                          django_assert_max_num_queries):
    api = api_as(grid_chief)
    with django_assert_max_num_queries(12):
        answer = api.get("/api/v1/needs/counts/", {"month_from": "2021-05-01",
                                                    "month_to": "2021-05-01", "group": "all"})
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert {r["category"] for r in rows} == {"housing", "environment", "policy", "medical",
                                             "psychological"}
    assert all(r["area_code"].startswith("330203005001") for r in rows)
    nanmen = api.get("/api/v1/needs/counts/", {"area": "330203001", "month_from": "2021-05-01"})
    assert nanmen.json()["results"] == []
    bad = api.get("/api/v1/needs/counts/", {"area": "33x"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "area"


def test_categories_and_nothing_for_others(known, leader, grid_worker, api_as):
    answer = api_as(leader).get("/api/v1/needs/categories/housing/")
    assert answer.status_code == 200 and "漏水" in answer.json()["keywords"]
    # without needs.view the list is empty (reads_narrowed_by_scope), a detail 404
    worker = api_as(grid_worker)
    answer = worker.get("/api/v1/needs/counts/")
    assert answer.status_code == 200 and answer.json()["results"] == []
    assert worker.get("/api/v1/needs/categories/housing/").status_code == 404
