"""The report screen /m/report/ (issue 13, item 2): an outbox form with the classes in the
page, the address from the worker's grid, and the worker's last reports after sending."""

import re

import pytest

from gridgov.events import catalog_cache
from gridgov.events.choices import Source
from gridgov.events.models import MajorCategory, MinorCategory
from gridgov.events.tests.intake_support import point_in

pytestmark = pytest.mark.django_db
URL = "/m/report/"


def page(client_as, user, url=URL):
    response = client_as(user).get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def codes_in(html) -> set:
    return set(re.findall(r'class="m-report-category" data-code="([^"]+)"', html))


def test_signed_out_goes_to_the_terminal_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/m/login/")


def test_only_reporters_open_it(client_as, dept_handler, dispatcher):
    assert client_as(dept_handler).get(URL).status_code == 403
    assert client_as(dispatcher).get(URL).status_code == 403


def test_the_form_is_an_outbox_form_to_the_intake_api(client_as, grid_worker):
    html = page(client_as, grid_worker)
    form = re.search(r"<form[^>]*data-report[^>]*>", html, re.S)
    assert form is not None
    tag = form.group(0)
    for attr in ('action="/api/v1/events/report/"', 'data-outbox="event-report"',
                 'data-done-url="/m/report/?sent=1"', "data-geo"):
        assert attr in tag
    assert f'name="source" value="{Source.GRID_PATROL}"' in html
    # Camera first: a capture input and an album input, the photos stored under attachments.
    assert 'capture="environment"' in html and 'name="attachments"' in html
    for name in ("lng", "lat", "accuracy_m", "position_at", "observed_at", "description",
                 "address", "category", "resolved_on_spot", "resolution", "after_photos"):
        assert f'name="{name}"' in html, name
    assert "data-geo-status" in html and "语音输入" in html
    # The map is set up as the intake forms' point picker (tiles or the district outlines).
    assert 'data-outlines-url="/areas/public/outlines.geojson"' in html


def test_every_active_class_is_in_the_page_and_no_inactive_one(client_as, grid_worker):
    active = set(MinorCategory.objects.filter(
        is_active=True, major__is_active=True, major__platform__is_active=True)
        .values_list("code", flat=True))
    assert codes_in(page(client_as, grid_worker)) == active
    MinorCategory.objects.filter(code="0109").update(is_active=False)
    MajorCategory.objects.filter(code="11").update(is_active=False)
    catalog_cache.invalidate()
    shown = codes_in(page(client_as, grid_worker))
    assert "0109" not in shown and not any(code.startswith("11") for code in shown)
    assert "0102" in shown


def test_address_starts_from_the_workers_grid(client_as, grid_worker, gulou_grid):
    html = page(client_as, grid_worker)
    value = re.search(r'id="m-report-address"[^>]*value="([^"]*)"', html).group(1)
    assert value.endswith(gulou_grid.name) and gulou_grid.parent.name in value
    assert f'data-frame="{gulou_grid.min_lng}' in html


def test_sent_page_lists_the_workers_own_reports(client_as, api_as, grid_worker,
                                                 grid_worker2, gulou_grid, gulou_grid2):
    lng, lat = point_in(gulou_grid)
    mine = api_as(grid_worker).post("/api/v1/events/report/", {
        "description": "我上报的井盖缺失", "lng": lng, "lat": lat, "category": "0109"})
    lng2, lat2 = point_in(gulou_grid2)
    theirs = api_as(grid_worker2).post("/api/v1/events/report/", {
        "description": "别人上报的问题", "lng": lng2, "lat": lat2, "category": "0109"})
    assert mine.status_code == 201 and theirs.status_code == 201
    html = page(client_as, grid_worker, URL + "?sent=1")
    assert "已保存,联网后自动上报" in html and "我的上报" in html
    assert mine.json()["number"] in html and "我上报的井盖缺失" in html
    assert theirs.json()["number"] not in html
    rows = re.findall(r'<li class="m-row"><a href=', html)
    assert 1 <= len(rows) <= 20
    assert "已保存,联网后自动上报" not in page(client_as, grid_worker)


def test_page_queries_do_not_grow_with_the_reports(client_as, grid_worker,
                                                   django_assert_max_num_queries):
    client = client_as(grid_worker)
    client.get(URL + "?sent=1")
    with django_assert_max_num_queries(20):
        assert client.get(URL + "?sent=1").status_code == 200
