"""The API: tasks (list, detail, close), benefits, consents; scope, errors, query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.proactive import actions
from gridgov.proactive.models import Consent

from .support import make_person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def alert(gulou_grid):
    person = make_person(gulou_grid, "接口甲", tags=["独居老人"])
    return actions.open_task(kind="alert", title="接口甲已8天未联系", grid=gulou_grid,
                             person=person, due_at=timezone.now() + dt.timedelta(hours=3),
                             reason="规则“x”: 已 8 天未联系")


def test_tasks_list_detail_and_scope(alert, grid_worker, grid_worker2, dept_handler, api_as):
    api = api_as(grid_worker)
    rows = api.get("/api/v1/proactive/tasks/", {"state": "open", "mine": "true"}).json()
    found = [r for r in rows["results"] if r["id"] == alert.pk]
    assert found and found[0]["kind_display"] == "关爱提醒" and not found[0]["overdue"]
    assert found[0]["person_name"] == "接口甲" and found[0]["reason"].endswith("8 天未联系")
    assert api.get(f"/api/v1/proactive/tasks/{alert.pk}/").json()["title"] == alert.title
    assert api_as(grid_worker2).get(f"/api/v1/proactive/tasks/{alert.pk}/").status_code == 404
    assert api_as(dept_handler).get(f"/api/v1/proactive/tasks/{alert.pk}/").status_code == 404
    assert api.post("/api/v1/proactive/tasks/", {}, format="json").status_code == 405


def test_department_handlers_see_their_departments_tasks(gulou_grid, dept_handler, api_as):
    task = actions.open_task(kind="inspection", title="接口部门", grid=gulou_grid,
                             subject="路口", to="department",
                             department=dept_handler.department)
    api = api_as(dept_handler)
    assert api.get(f"/api/v1/proactive/tasks/{task.pk}/").status_code == 200
    closed = api.post(f"/api/v1/proactive/tasks/{task.pk}/close/", {"note": "已处置"},
                      format="json")
    assert closed.status_code == 200 and closed.json()["state"] == "done"


def test_close_errors_and_success(alert, grid_worker, grid_worker2, leader, api_as):
    url = f"/api/v1/proactive/tasks/{alert.pk}/close/"
    api = api_as(grid_worker)
    bad = api.post(url, {"note": ""}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "note"
    assert api.post(url, {"note": "x", "visit": 999999999}, format="json").status_code == 400
    assert api_as(grid_worker2).post(url, {"note": "x"}, format="json").status_code == 404
    assert api_as(leader).post(url, {"note": "x"}, format="json").status_code == 403
    done = api.post(url, {"note": "已上门"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "done"
    again = api.post(url, {"note": "再办"}, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "state"


def test_task_list_query_count(gulou_grid, leader, api_as, django_assert_max_num_queries):
    api = api_as(leader)
    api.get("/api/v1/proactive/tasks/")
    for n in range(10):
        person = make_person(gulou_grid, f"接口多{n}")
        actions.open_task(kind="home_visit", title=f"接口多{n}", grid=gulou_grid, person=person)
    with django_assert_max_num_queries(8):
        rows = api.get("/api/v1/proactive/tasks/", {"kind": "home_visit"}).json()
    assert sum(r["title"].startswith("接口多") for r in rows["results"]) == 10


def test_benefits_list_and_filters(gulou_grid, gulou_grid2, grid_worker2, leader, api_as,
                                   django_assert_max_num_queries):
    mine = make_person(gulou_grid, "接口津贴", born=dt.date(TODAY.year - 80, TODAY.month, 1))
    benefit = actions.start_benefit(mine, kind="elderly_allowance", actor=None,
                                    without_application=True)
    api = api_as(leader)
    api.get("/api/v1/proactive/benefits/")
    with django_assert_max_num_queries(8):
        rows = api.get("/api/v1/proactive/benefits/",
                       {"month": TODAY.strftime("%Y-%m"), "without_application": "true"}).json()
    found = [r for r in rows["results"] if r["id"] == benefit.pk]
    assert found and found[0]["tier_label"] == "80–89 周岁"
    bad = api.get("/api/v1/proactive/benefits/", {"month": "12-2026"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "month"
    assert api_as(grid_worker2).get(
        f"/api/v1/proactive/benefits/{benefit.pk}/").status_code == 404


def test_consents_create_and_list(gulou_grid, gulou_grid2, grid_worker, leader, api_as):
    person = make_person(gulou_grid, "接口同意")
    api = api_as(grid_worker)
    made = api.post("/api/v1/proactive/consents/",
                    {"person": person.pk, "agreed": True, "note": "当面确认"}, format="json")
    assert made.status_code == 201 and made.json()["agreed"] is True
    api.post("/api/v1/proactive/consents/", {"person": person.pk, "agreed": False},
             format="json")
    every = api.get("/api/v1/proactive/consents/", {"person": person.pk}).json()["results"]
    latest = api.get("/api/v1/proactive/consents/",
                     {"person": person.pk, "latest": "true"}).json()["results"]
    assert len(every) == 2 and len(latest) == 1 and latest[0]["agreed"] is False
    other = make_person(gulou_grid2, "接口别处")
    assert api.post("/api/v1/proactive/consents/", {"person": other.pk, "agreed": True},
                    format="json").status_code == 404
    assert api_as(leader).post("/api/v1/proactive/consents/",
                               {"person": person.pk, "agreed": True},
                               format="json").status_code == 403
    missing = api.post("/api/v1/proactive/consents/", {"person": person.pk}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "agreed"
    assert Consent.objects.filter(person=person).count() == 2
