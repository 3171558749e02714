"""The big screen's data endpoint: permission, scope, the counters against the rows, the grid
workers on duty, a fixed number of queries, the schema, and polls counting as activity."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from gridgov.core.middleware import SessionIdleTimeoutMiddleware
from gridgov.events import deadlines
from gridgov.events.choices import FINAL_STATES, State
from gridgov.events.models import Event
from gridgov.events.tests.helpers_command import make_event
from gridgov.stats.api.screen import ScreenDataView
from gridgov.stats.periods import DAY, Period, local_zone

pytestmark = pytest.mark.django_db

URL = "/stats/api/screen/"
GULOU = "330203005"


def expected_counters(area):
    """The counters counted row by row in Python, over the street's events."""
    now = timezone.now()
    start, end = Period(DAY, *(timezone.localdate(now, local_zone()),) * 2).bounds()
    rows = list(Event.objects.filter(area_code__startswith=area))
    overdue = set(Event.objects.filter(area_code__startswith=area)
                  .filter(deadlines.overdue_q(now)).values_list("pk", flat=True))
    due_soon = set(Event.objects.filter(area_code__startswith=area)
                   .filter(deadlines.due_soon_q(now)).values_list("pk", flat=True))
    return {
        "today": sum(start <= e.created_at < end for e in rows),
        "open": sum(e.state not in FINAL_STATES for e in rows),
        "due_soon": len(due_soon), "overdue": len(overdue),
        "supervised": sum(e.supervised and e.state not in FINAL_STATES for e in rows),
        "closed_today": sum(e.state == State.CLOSED and e.closed_at is not None
                            and start <= e.closed_at < end for e in rows),
    }


def test_counters_points_and_duty(client_as, leader, grid_worker, gulou_grid):
    client = client_as(leader)
    before = client.get(URL).json()
    event = make_event(gulou_grid, reporter=grid_worker)  # reported now by the grid worker
    data = client.get(URL).json()
    assert data["area"] == GULOU
    assert data["counters"] == expected_counters(GULOU)
    assert data["counters"]["today"] == before["counters"]["today"] + 1
    assert data["counters"]["open"] == before["counters"]["open"] + 1
    mine = next(p for p in data["points"] if p[0] == event.pk)
    # Just reported: its 30-minute dispatch stage is due soon at once (deadlines.DUE_SOON_MIN).
    assert mine == [event.pk, round(event.lat, 6), round(event.lng, 6), "due_soon"]
    # Only the street's events on the map.
    ids = [p[0] for p in data["points"]]
    assert set(Event.objects.filter(pk__in=ids).values_list("area_code", flat=True)) <= {
        c for c in Event.objects.filter(area_code__startswith=GULOU)
        .values_list("area_code", flat=True)}
    assert len(data["trend"]["labels"]) == 7 and data["trend"]["reported"][-1] >= 1
    names = [w["name"] for w in data["duty"]["items"]]
    assert (grid_worker.real_name or grid_worker.username) in names
    for alert in data["alerts"]:
        assert alert["status"] in ("overdue", "due_soon")


def test_scope_permission_and_bad_input(client_as, leader, grid_worker):
    client = client_as(leader)
    assert client.get(URL, {"area": "330203001"}).status_code == 404  # 南门: not theirs
    bad = client.get(URL, {"area": "33x"})
    assert bad.status_code == 400 and "area" in bad.content.decode()
    assert client.get(URL, {"area": "330203005001"}).json()["area"] == "330203005001"
    assert client_as(grid_worker).get(URL).status_code in (403, 404)
    assert client_as(grid_worker).get(reverse("stats:screen")).status_code == 403


def test_district_leader_sees_every_street(client_as, district_leader):
    data = client_as(district_leader).get(URL).json()
    assert data["area"] == "330203"
    assert data["counters"] == expected_counters("330203")


def test_query_count_does_not_grow(client_as, leader, gulou_grid, grid_worker,
                                   django_assert_max_num_queries):
    client = client_as(leader)
    client.get(URL)
    with django_assert_max_num_queries(12):
        client.get(URL)
    for _ in range(3):
        make_event(gulou_grid, reporter=grid_worker, state=State.DISPATCHED)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


def test_the_page(client_as, leader):
    response = client_as(leader).get(reverse("stats:screen"))
    assert response.status_code == 200
    config = response.context["config"]
    assert config["refreshSeconds"] == 30 and config["area"] == GULOU
    html = response.content.decode()
    assert "指挥大屏" in html and "在岗网格员" in html and "<script>" not in html
    with override_settings(GRIDGOV_SCREEN_REFRESH_SECONDS=5):
        assert client_as(leader).get(reverse("stats:screen")).context["config"][
            "refreshSeconds"] == 5


def test_schema_describes_the_endpoint():
    generator = SchemaGenerator(patterns=[path("api/v1/stats/screen/",
                                               ScreenDataView.as_view())])
    schema = generator.get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/stats/screen/"]["get"]
    assert operation["summary"] == "指挥大屏数据"
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert {"counters", "alerts", "points", "trend", "duty"} <= set(component["properties"])


def test_the_screens_polls_count_as_activity(client_as, leader):
    """A session showing the screen stays signed in: each poll stamps the activity (at most
    once a minute), so the idle timeout never passes while the screen runs."""
    client = client_as(leader)
    client.get(URL)
    session = client.session
    session[SessionIdleTimeoutMiddleware.SEEN] = int(time.time()) - 25 * 60  # 25 min ago
    session.save()
    assert client.get(URL).status_code == 200
    seen = client.session[SessionIdleTimeoutMiddleware.SEEN]
    assert int(time.time()) - seen < 5
    # A request marked background would not have counted (the alert feed's rule).
    session = client.session
    session[SessionIdleTimeoutMiddleware.SEEN] = int(time.time()) - 25 * 60
    session.save()
    client.get(URL, headers={"X-GG-Background": "1"})
    assert int(time.time()) - client.session[SessionIdleTimeoutMiddleware.SEEN] >= 25 * 60
    assert client.session.get(SESSION_KEY) is not None
