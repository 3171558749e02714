"""The field screen /m/patrol/, the home screen's patrol status, and the desktop pages."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from gridgov.patrols import actions
from gridgov.patrols.shell import patrol_status

from .support import as_points, start, street_walk

pytestmark = pytest.mark.django_db


def _walked(worker, grid, *, minutes=40, metres=1000, stop=True):
    patrol, origin, at = start(worker, grid, ago=dt.timedelta(minutes=minutes))
    rows = street_walk(origin, at + dt.timedelta(seconds=10), metres=metres)
    patrol = actions.add_points(patrol, points=as_points(rows), actor=worker)
    if stop:
        patrol = actions.stop_patrol(patrol, ended_at=at + dt.timedelta(minutes=30),
                                     actor=worker)
    return patrol


def test_the_field_screen_idle_then_active(client_as, grid_worker, gulou_grid,
                                           django_assert_max_num_queries):
    client = client_as(grid_worker)
    page = client.get("/m/patrol/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "开始巡查" in html and 'id="p-patrol-config"' in html
    assert page.context["config"]["active"] is None
    assert page.context["config"]["grid"]["properties"]["code"] == gulou_grid.code
    ended = _walked(grid_worker, gulou_grid, minutes=60)
    active = _walked(grid_worker, gulou_grid, minutes=20, metres=500, stop=False)
    with django_assert_max_num_queries(20):
        page = client.get("/m/patrol/")
    html = page.content.decode()
    assert "结束巡查" in html and "0.50 km" in html
    config = page.context["config"]
    assert config["active"]["clientId"] == str(active.client_id)
    assert config["active"]["distance"] == pytest.approx(500, abs=0.5)
    assert len(config["active"]["track"]) == 2  # a straight walk: its two ends
    assert config["endedToday"] == [str(ended.client_id)]
    assert "30 分钟 · 1.00 km" in html
    # an event reported now is found on the active patrol, linked to its field page
    from gridgov.events.actions import report_event

    from .support import inside

    lng, lat = inside(gulou_grid)
    event = report_event(source="grid_patrol", description="巡查中发现井盖缺失", lng=lng,
                         lat=lat, actor=grid_worker, category="0102")
    html = client.get("/m/patrol/").content.decode()
    assert f'href="/m/events/{event.number}/"' in html and "巡查中发现井盖缺失" in html


def test_the_field_screen_needs_sign_in(client):
    page = client.get("/m/patrol/")
    assert page.status_code == 302 and "/m/login/" in page["Location"]


def test_home_screen_status(grid_worker, gulou_grid, dispatcher, django_assert_num_queries):
    request = RequestFactory().get("/m/")
    request.user = grid_worker
    with django_assert_num_queries(2):  # the person's scope (once per request), the patrol
        section = patrol_status(request)
    assert section.items[0].title == "开始巡查" and section.url == "/m/patrol/"
    _walked(grid_worker, gulou_grid, minutes=35, metres=1200, stop=False)
    section = patrol_status(request)
    assert section.items[0].title.startswith("巡查中 · 已 35 分钟 · 1.2 km")
    request.user = dispatcher
    assert patrol_status(request) is None


def test_the_home_page_shows_the_status(client_as, grid_worker):
    html = client_as(grid_worker).get("/m/").content.decode()
    assert "开始巡查" in html


def test_desktop_list_filters_totals_and_scope(client_as, dispatcher, grid_worker,
                                               grid_worker2, gulou_grid, gulou_grid2,
                                               dept_handler, django_assert_max_num_queries):
    mine = _walked(grid_worker, gulou_grid)
    other = _walked(grid_worker2, gulou_grid2, metres=500)
    client = client_as(dispatcher)
    with django_assert_max_num_queries(20):
        page = client.get("/patrols/")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert {mine.pk, other.pk} <= {p.pk for p in rows}
    totals = {t["worker_id"]: t for t in page.context["totals"]}
    assert totals[grid_worker.pk]["km"] == "1.00" and totals[grid_worker.pk]["hours"] == "0.50"
    html = page.content.decode()
    assert "巡查合计" in html
    page = client.get("/patrols/", {"worker": grid_worker2.pk})
    assert [p.pk for p in page.context["rows"]] == [other.pk]
    page = client.get("/patrols/", {"area": gulou_grid.code,
                                    "day": timezone.localdate().isoformat()})
    assert [p.pk for p in page.context["rows"]] == [mine.pk]
    bad = client.get("/patrols/", {"month": "2026-13", "area": "12ab"})
    assert bad.status_code == 400
    assert "月份格式" in bad.content.decode() and "编码须为" in bad.content.decode()
    # a worker sees their own patrols only; a department none (403)
    own = client_as(grid_worker2).get("/patrols/")
    assert [p.pk for p in own.context["rows"]] == [other.pk]
    assert client_as(dept_handler).get("/patrols/").status_code == 403


def test_desktop_detail_with_track_and_events(client_as, dispatcher, grid_worker,
                                              grid_worker2, gulou_grid,
                                              django_assert_max_num_queries):
    patrol = _walked(grid_worker, gulou_grid)
    client = client_as(dispatcher)
    with django_assert_max_num_queries(20):
        page = client.get(f"/patrols/{patrol.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1.00 公里" in html and "0.50 小时" in html and 'id="p-track-config"' in html
    assert len(page.context["config"]["track"]) == 2
    assert client_as(grid_worker2).get(f"/patrols/{patrol.pk}/").status_code == 404


def test_the_menu_entry(client_as, dispatcher, dept_handler):
    assert 'href="/patrols/"' in client_as(dispatcher).get("/").content.decode()
    assert 'href="/patrols/"' not in client_as(dept_handler).get("/").content.decode()
