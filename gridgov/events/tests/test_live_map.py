"""The live map: the page (full height, side panel with real controls, legend, refresh
settings) and its JSON (scoped by ``restrict()``, filtered by the panel's controls, stamped
with the local time, a constant number of queries)."""

import json
import re
from html import unescape

import pytest
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.events import actions as ev
from gridgov.events.choices import State
from gridgov.events.models import Event, MajorCategory
from gridgov.events.views import live_map

from .helpers_command import make_due_soon, make_event, make_overdue

pytestmark = pytest.mark.django_db

PAGE = "/events/command/map/"
JSON = "/events/command/map/events.geojson"


def _numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {f["properties"]["number"] for f in response.json()["features"]}


@pytest.fixture
def elsewhere(other_street):
    grid = Area.objects.filter(level="grid", code__startswith=other_street.code).first()
    return make_event(grid, state=State.FILED)


def test_the_page_has_the_panel_controls_legend_and_refresh_settings(client_as, dispatcher):
    response = client_as(dispatcher).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="gg-main gg-main-full' in html and "gg-panel gg-livemap-panel" in html
    assert "vendor/markercluster/leaflet.markercluster.js" in html
    assert "vendor/markercluster/MarkerCluster.Default.css" in html
    assert "/static/events/live_map.js" in html
    # Real controls, not typed codes: a box per state, the major classes by name.
    assert html.count('type="checkbox" name="state"') == len(live_map.FILTER_STATES)
    major = MajorCategory.objects.filter(is_active=True).order_by("code").first()
    assert f'<option value="{major.code}">{major.name}</option>' in html
    assert 'name="supervised" value="true"' in html and 'name="deadline" value="overdue"' in html
    assert "事件大类编码" not in html and "未知" not in html
    config = json.loads(unescape(re.search(
        r'<script id="gg-event-map-config" type="application/json">(.*?)</script>', html,
        re.S).group(1)))
    assert config["geojsonUrl"] == JSON and config["areasUrl"] == "/api/v1/areas/geojson/"
    assert config["refreshSeconds"] == 30 and "%(t)s" in config["text"]["updated"]


def test_the_page_keeps_the_chosen_filters(client_as, dispatcher):
    html = client_as(dispatcher).get(PAGE, {"state": "filed", "deadline": "overdue"}).content
    html = html.decode()
    assert 'value="filed" checked' in html
    assert 'name="deadline" value="overdue" checked' in html


def test_json_is_scoped_and_stamped(client_as, dispatcher, grid_worker, gulou_grid,
                                    elsewhere):
    mine = make_event(gulou_grid, state=State.FILED)
    response = client_as(dispatcher).get(JSON)
    numbers = _numbers(response)
    assert mine.number in numbers and elsewhere.number not in numbers
    assert numbers == set(Event.objects.restrict(dispatcher).exclude(
        state__in=["closed", "not_filed", "void", "merged"]).values_list("number", flat=True))
    data = response.json()
    assert re.fullmatch(r"\d\d:\d\d:\d\d", data["updated"])
    assert abs(int(data["updated"][:2]) - timezone.localtime().hour) in (0, 1, 23)
    feature = next(f for f in data["features"] if f["properties"]["number"] == mine.number)
    assert feature["properties"]["url"] == f"/events/{mine.pk}/"
    assert feature["properties"]["state_label"] == "已立案"
    # The map is the command room's: a grid worker gets no JSON.
    assert client_as(grid_worker).get(JSON).status_code == 403


def test_json_filters_by_the_panels_controls(client_as, dispatcher, gulou_grid):
    client = client_as(dispatcher)
    plain = make_event(gulou_grid, state=State.FILED)
    supervised = make_event(gulou_grid, state=State.IN_PROGRESS)
    ev.supervise_event(supervised, remark="尽快", actor=None)
    late = make_overdue(make_event(gulou_grid, state=State.DISPATCHED))
    soon = make_due_soon(make_event(gulou_grid, state=State.DISPATCHED))

    only_supervised = _numbers(client.get(JSON, {"supervised": "true"}))
    assert supervised.number in only_supervised and plain.number not in only_supervised
    assert supervised.number not in _numbers(client.get(JSON, {"supervised": "false"}))
    overdue = _numbers(client.get(JSON, {"deadline": "overdue"}))
    assert late.number in overdue and soon.number not in overdue
    assert soon.number in _numbers(client.get(JSON, {"deadline": "due_soon"}))
    major = plain.category.major.code
    by_major = _numbers(client.get(JSON, {"major": major}))
    assert plain.number in by_major
    assert all(e.category.major.code == major for e in Event.objects.filter(
        number__in=by_major).select_related("category__major"))
    both = _numbers(client.get(JSON, [("state", "filed"), ("state", "dispatched")]))
    assert {plain.number, late.number} <= both and supervised.number not in both
    closed = make_event(gulou_grid, state=State.CLOSED)
    assert closed.number not in _numbers(client.get(JSON))
    assert closed.number in _numbers(client.get(JSON, {"state": "closed"}))
    assert client.get(JSON, {"deadline": "someday"}).status_code == 400


def test_json_query_count_does_not_grow_with_events(client_as, district_leader, gulou_grid,
                                                    django_assert_max_num_queries):
    client = client_as(district_leader)
    before = len(_numbers(client.get(JSON)))
    for state in (State.REPORTED, State.FILED, State.IN_PROGRESS) * 3:
        make_event(gulou_grid, state=state)
    with django_assert_max_num_queries(6):
        assert len(_numbers(client.get(JSON))) == before + 9


def test_the_page_query_count_is_bounded(client_as, district_leader, gulou_grid,
                                         django_assert_max_num_queries):
    client = client_as(district_leader)
    client.get(PAGE)
    for _ in range(3):
        make_event(gulou_grid)
    with django_assert_max_num_queries(8):
        assert client.get(PAGE).status_code == 200
