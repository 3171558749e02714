"""``near=lng,lat,radius_m`` and ``platform`` in the one EventFilterSet: the search page, the
events API and the export agree; the box-then-circle filter on fixtures at hand-placed
distances; bad input answers 400 naming the field; scope still applies."""

import io
import math

import openpyxl
import pytest

from gridgov.areas import datum
from gridgov.events.choices import State
from gridgov.events.filtersets import EventFilterSet, clear_options
from gridgov.events.models import Event, MinorCategory
from gridgov.events.tests.helpers_command import make_event

pytestmark = pytest.mark.django_db
SEARCH = "/events/search/"
API = "/api/v1/events/"
R = 6_371_008.8  # metres (duplicates.EARTH_RADIUS_M)
METRES_PER_DEGREE = math.pi * R / 180  # 111,195.08 m of latitude per degree


@pytest.fixture(autouse=True)
def _fresh_picker_options():
    clear_options()
    yield
    clear_options()


def _moved(event, north=0.0, east=0.0) -> Event:
    """The event put ``north`` and ``east`` metres from its grid's point (WGS-84)."""
    lat = event.lat + north / METRES_PER_DEGREE
    lng = event.lng + east / (METRES_PER_DEGREE * math.cos(math.radians(event.lat)))
    Event.objects.filter(pk=event.pk).update(lng=lng, lat=lat)
    return Event.objects.get(pk=event.pk)


@pytest.fixture
def around(gulou_grid, gulou_grid2):
    """Events around one point of 兴港社区第1网格, at distances computed by hand:

    - ``here``: 0 m; ``north290``: 290 m north (along a meridian: exactly 290 m);
    - ``east499``: 499 m east (along the parallel; the great circle is shorter by < 1 mm);
    - ``corner``: 450 m north and 450 m east, √(450² + 450²) ≈ 636 m: inside the 500 m box,
      outside the 500 m circle;
    - ``north510``: 510 m north, outside 500 m;
    - ``other_grid``: 120 m south, in 兴港社区第2网格 (the dispatcher sees it; the grid
      worker of 第1网格 does not)."""
    here = make_event(gulou_grid, state=State.FILED, description="附近测试原点")
    base = {"lng": here.lng, "lat": here.lat}
    made = {"here": here}
    for key, north, east in (("north290", 290, 0), ("east499", 0, 499), ("corner", 450, 450),
                             ("north510", 510, 0)):
        event = make_event(gulou_grid, state=State.FILED, description=f"附近测试{key}")
        Event.objects.filter(pk=event.pk).update(**base)
        made[key] = _moved(Event.objects.get(pk=event.pk), north, east)
    other = make_event(gulou_grid2, state=State.FILED, description="附近测试other")
    Event.objects.filter(pk=other.pk).update(**base)
    made["other_grid"] = _moved(Event.objects.get(pk=other.pk), north=-120)
    made["point"] = (here.lng, here.lat)
    return made


def near(point, radius) -> str:
    return f"{point[0]:.7f},{point[1]:.7f},{radius}"


def page_numbers(client, params) -> set[str]:
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return {row["event"].number for row in response.context["rows"]}


def api_numbers(client, params) -> set[str]:
    response = client.get(API, params)
    assert response.status_code == 200
    body = response.json()
    return {r["number"] for r in (body["results"] if isinstance(body, dict) else body)}


def numbers(made, *keys) -> set[str]:
    return {made[k].number for k in keys}


def test_distances_of_the_fixture_are_as_computed(around):
    from gridgov.events.duplicates import haversine_m

    lng, lat = around["point"]
    assert haversine_m(lng, lat, around["north290"].lng, around["north290"].lat) == \
        pytest.approx(290, abs=0.01)
    assert haversine_m(lng, lat, around["east499"].lng, around["east499"].lat) == \
        pytest.approx(499, abs=0.01)
    assert haversine_m(lng, lat, around["corner"].lng, around["corner"].lat) == \
        pytest.approx(636.4, abs=0.1)


@pytest.mark.parametrize("radius,expected", [
    (100, ("here",)),
    (300, ("here", "north290", "other_grid")),
    (500, ("here", "north290", "east499", "other_grid")),  # not the corner: 636 m
    (520, ("here", "north290", "east499", "north510", "other_grid")),
    (640, ("here", "north290", "east499", "corner", "north510", "other_grid")),
])
def test_the_circle_not_just_the_box(client_as, api_as, dispatcher, around, radius, expected):
    params = {"near": near(around["point"], radius), "q": "附近测试"}
    want = numbers(around, *expected)
    assert page_numbers(client_as(dispatcher), params) == want
    assert api_numbers(api_as(dispatcher), params) == want


def test_the_export_holds_the_same_cases(client_as, dispatcher, around):
    response = client_as(dispatcher).get(SEARCH + "export.xlsx",
                                         {"near": near(around["point"], 500), "q": "附近测试"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    got = {row[0] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert got == numbers(around, "here", "north290", "east499", "other_grid")


def test_a_point_picked_on_a_gcj02_map_is_converted(client_as, dispatcher, around):
    gcj = tuple(float(v) for v in datum.wgs84_to_gcj02(*around["point"]))
    client = client_as(dispatcher)
    # Taken as WGS-84, the GCJ-02 coordinates lie hundreds of metres off in 宁波.
    assert page_numbers(client, {"near": near(gcj, 100), "q": "附近测试"}) == set()
    assert page_numbers(client, {"near": near(gcj, 100), "near_crs": "gcj02",
                                 "q": "附近测试"}) == numbers(around, "here")


def test_scope_still_applies(client_as, api_as, grid_worker, around):
    params = {"near": near(around["point"], 5000), "q": "附近测试"}
    want = numbers(around, "here", "north290", "east499", "corner", "north510")
    assert page_numbers(client_as(grid_worker), params) == want
    assert api_numbers(api_as(grid_worker), params) == want


@pytest.mark.parametrize("value,reason", [
    ("121.55,29.87", "三个数"),
    ("121.55,北纬,500", "须为数字"),
    ("121.55,29.87,nan", "须为数字"),
    ("121.55,29.87,5001", "不超过 5000 米"),
    ("121.55,29.87,0", "不超过 5000 米"),
    ("200,29.87,500", "经度须在"),
])
def test_bad_near_is_400_naming_the_field_and_the_reason(client_as, api_as, dispatcher,
                                                         value, reason):
    response = client_as(dispatcher).get(SEARCH, {"near": value})
    assert response.status_code == 400
    assert reason in " ".join(response.context["filter"].errors["near"])
    assert response.context["rows"] == []
    api = api_as(dispatcher).get(API, {"near": value})
    assert api.status_code == 400
    errors = {e["field"]: e["message"] for e in api.json()["errors"]}
    assert reason in errors["near"]
    export = client_as(dispatcher).get(SEARCH + "export.csv", {"near": value})
    assert export.status_code == 400
    assert export.json()["errors"][0]["field"] == "near"


def test_an_unknown_datum_is_400(client_as, dispatcher):
    response = client_as(dispatcher).get(SEARCH, {"near": "121.55,29.87,500",
                                                  "near_crs": "bd09"})
    assert response.status_code == 400
    assert "near_crs" in response.context["filter"].errors


def test_platform_filter(client_as, api_as, dispatcher, gulou_grid):
    by_platform = {}
    for code in ("ZHZF", "ZZ"):
        cat = (MinorCategory.objects.filter(is_active=True, major__platform__code=code)
               .order_by("code").first())
        by_platform[code] = make_event(gulou_grid, state=State.FILED, cat=cat,
                                       description=f"平台测试{code}")
    for code, event in by_platform.items():
        params = {"platform": code, "q": "平台测试"}
        assert page_numbers(client_as(dispatcher), params) == {event.number}
        assert api_numbers(api_as(dispatcher), params) == {event.number}
    page = client_as(dispatcher).get(SEARCH, {"platform": "ZZ"})
    chips = {c["name"]: c["value"] for c in page.context["chips"]}
    assert chips["platform"] == "综治工作"  # named, never the bare code


def test_the_queue_filters_leave_out_the_near_fields(rf, dispatcher):
    request = rf.get("/")
    request.user = dispatcher
    names = {f.name for f in EventFilterSet(request=request,
                                            queryset=Event.objects.none()).more_fields()}
    assert "platform" in names
    assert not names & {"near", "near_crs"}


def test_the_near_control_on_the_page(client_as, dispatcher):
    client = client_as(dispatcher)
    html = client.get(SEARCH).content.decode()
    assert 'name="near"' in html and "在地图上选点" in html
    assert "data-gg-point" not in html and "events/intake.js" not in html  # no map until asked
    response = client.get(SEARCH, {"near": "121.55,29.87,300", "near_crs": "gcj02",
                                   "pick": "1"})
    html = response.content.decode()
    assert "data-gg-point" in html and "events/intake.js" in html
    near = response.context["near"]
    assert near["open"] and near["crs"] == "gcj02"
    assert near["point"] == {"lng": "121.55", "lat": "29.87"}
    assert [r["value"] for r in near["radii"] if r["selected"]] == ["300"]  # typed, offered
    chips = {c["name"]: c for c in response.context["chips"]}
    assert set(chips) == {"near"}  # the datum is part of the place, not a condition
    assert chips["near"]["value"] == "300 米内(121.55000, 29.87000,高德、腾讯地图坐标)"
    # Removing the chip drops the datum too, and the map closes.
    assert chips["near"]["remove"] == "?"
    assert all("pick" not in s["url"] for s in response.context["sorts"])


def test_a_saved_search_keeps_the_place(dispatcher):
    from gridgov.events.actions import saved_filters
    from gridgov.events.views.search import filter_params

    saved = saved_filters.save_filter(
        actor=dispatcher, name="附近", allowed=filter_params(),
        query="near=121.55,29.87,300&near_crs=gcj02&pick=1&platform=ZZ")
    assert saved.query == "near=121.55%2C29.87%2C300&near_crs=gcj02&platform=ZZ"
