"""The live map's JSON by viewport: ``bbox`` and ``zoom`` narrow it, low zooms answer clusters
counted in SQL whose counts add up to the events in view and scope, high zooms (or few events)
answer the events themselves, bad input is 400 naming the field, and the number of queries
does not grow with the events."""

import pytest

from gridgov.areas.datum import from_wgs84
from gridgov.areas.models import Area
from gridgov.events.choices import State
from gridgov.events.models import Event
from gridgov.events.open_cases import OPEN_STATES
from gridgov.events.views import live_map

from .helpers_command import make_event, make_overdue, point_in

pytestmark = pytest.mark.django_db
JSON = "/events/command/map/events.geojson"
# Around 海曙区 (the whole district and a margin).
DISTRICT_BOX = "121.0,29.6,122.0,30.2"


def _box(area, pad=0.0) -> str:
    """The area's bounding box (WGS-84), widened by ``pad`` degrees."""
    import shapely.geometry

    west, south, east, north = shapely.geometry.shape(area.geometry).bounds
    return f"{west - pad},{south - pad},{east + pad},{north + pad}"


def _in_box(queryset, box: str):
    west, south, east, north = (float(n) for n in box.split(","))
    return queryset.filter(lng__range=(west, east), lat__range=(south, north))


def _open(user):
    return Event.objects.restrict(user).filter(state__in=OPEN_STATES)


@pytest.fixture
def always_cluster(monkeypatch):
    """Cluster whenever the zoom allows (the demo has fewer events than FEATURE_LIMIT)."""
    monkeypatch.setattr(live_map, "FEATURE_LIMIT", 0)


@pytest.fixture
def spread(gulou_grid, gulou_grid2, other_street):
    """Open events in two 鼓楼 grids (one overdue), a closed one, and one in 南门街道."""
    elsewhere = Area.objects.filter(level="grid", code__startswith=other_street.code).first()
    return {"mine": [make_event(gulou_grid, state=State.FILED),
                     make_overdue(make_event(gulou_grid2, state=State.DISPATCHED)),
                     make_event(gulou_grid2, state=State.REPORTED)],
            "closed": make_event(gulou_grid, state=State.CLOSED),
            "elsewhere": make_event(elsewhere, state=State.FILED)}


def test_low_zoom_answers_clusters_that_add_up_to_the_view(client_as, district_leader, spread,
                                                           always_cluster):
    body = client_as(district_leader).get(JSON, {"bbox": DISTRICT_BOX, "zoom": 11}).json()
    assert body["mode"] == "clusters" and body["features"]
    props = [f["properties"] for f in body["features"]]
    assert all(p["cluster"] for p in props)
    expected = _in_box(_open(district_leader), DISTRICT_BOX)
    assert sum(p["count"] for p in props) == body["total"] == expected.count()
    assert sum(p["overdue"] for p in props) == expected.overdue().count() >= 1
    assert sum(p["due_soon"] for p in props) == expected.due_soon().count()
    for p, f in zip(props, body["features"], strict=True):
        west, south, east, north = p["bounds"]
        lng, lat = f["geometry"]["coordinates"]
        assert west <= lng <= east and south <= lat <= north  # the centroid is inside


def test_clusters_respect_scope_and_the_box(client_as, dispatcher, district_leader, spread,
                                            gulou_street, other_street, always_cluster):
    client = client_as(dispatcher)
    body = client.get(JSON, {"bbox": DISTRICT_BOX, "zoom": 11}).json()
    assert body["total"] == _in_box(_open(dispatcher), DISTRICT_BOX).count()
    assert body["total"] == _open(dispatcher).filter(
        area_code__startswith=gulou_street.code).count()
    # 南门街道's box: the 鼓楼 dispatcher sees nothing there, the district leader its events.
    nanmen = _box(other_street)
    mine = client.get(JSON, {"bbox": nanmen, "zoom": 11}).json()
    assert sum(f["properties"].get("count", 1) for f in mine["features"]) == _in_box(
        _open(dispatcher), nanmen).count()
    assert spread["elsewhere"].pk not in {f["id"] for f in mine["features"]}
    leader = client_as(district_leader).get(JSON, {"bbox": nanmen, "zoom": 11}).json()
    assert leader["total"] == _in_box(_open(district_leader), nanmen).count() >= 1


def test_few_events_or_a_high_zoom_answer_the_events(client_as, dispatcher, spread,
                                                     gulou_grid, gulou_grid2):
    client = client_as(dispatcher)
    box = _box(gulou_grid.parent, pad=0.001)
    expected = set(_in_box(_open(dispatcher), box).values_list("pk", flat=True))
    # Below FEATURE_LIMIT events in view: the events themselves, even at a low zoom.
    few = client.get(JSON, {"bbox": box, "zoom": 12}).json()
    assert few["mode"] == "features" and {f["id"] for f in few["features"]} == expected
    assert {e.pk for e in spread["mine"]} <= expected
    close = client.get(JSON, {"bbox": _box(gulou_grid), "zoom": live_map.DETAIL_ZOOM}).json()
    assert close["mode"] == "features"
    assert {f["id"] for f in close["features"]} == set(
        _in_box(_open(dispatcher), _box(gulou_grid)).values_list("pk", flat=True))
    feature = next(f for f in few["features"] if f["id"] == spread["mine"][1].pk)
    assert feature["properties"]["overdue"] is True
    assert feature["properties"]["url"] == f"/events/{spread['mine'][1].pk}/"
    assert feature["properties"]["state_label"] == "已派遣"


def test_a_state_filter_applies_in_the_view(client_as, dispatcher, spread, always_cluster):
    body = client_as(dispatcher).get(JSON, {"bbox": DISTRICT_BOX, "zoom": 11,
                                            "state": "closed"}).json()
    assert body["total"] == _in_box(Event.objects.restrict(dispatcher).filter(
        state="closed"), DISTRICT_BOX).count() >= 1


@pytest.mark.parametrize(("params", "field"), [
    ({"bbox": "121,29,122"}, "bbox"), ({"bbox": "a,b,c,d"}, "bbox"),
    ({"bbox": "nan,29,122,30"}, "bbox"), ({"bbox": "122,29,121,30"}, "bbox"),
    ({"bbox": "121,30,122,29"}, "bbox"), ({"bbox": "121,95,122,96"}, "bbox"),
    ({"bbox": "200,29,210,30"}, "bbox"), ({"zoom": "near"}, "zoom"), ({"zoom": "-1"}, "zoom"),
    ({"zoom": "30"}, "zoom"), ({"zoom": "inf"}, "zoom"),
    ({"bbox": DISTRICT_BOX, "bbox_crs": "bd09"}, "bbox_crs"),
])
def test_bad_viewport_is_400_naming_the_field(client_as, dispatcher, params, field):
    response = client_as(dispatcher).get(JSON, params)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_gcj02_box_is_read_in_gcj02(client_as, dispatcher, gulou_grid, settings):
    event = make_event(gulou_grid, state=State.FILED)
    lng, lat = point_in(gulou_grid)
    gx, gy = from_wgs84(lng, lat, "gcj02")
    # A tight box around the event's GCJ-02 position finds it only when read as GCJ-02.
    box = f"{gx - 0.0005},{gy - 0.0005},{gx + 0.0005},{gy + 0.0005}"
    client = client_as(dispatcher)
    found = client.get(JSON, {"bbox": box, "zoom": 17, "bbox_crs": "gcj02"}).json()
    assert event.pk in {f["id"] for f in found["features"]}
    plain = client.get(JSON, {"bbox": box, "zoom": 17}).json()
    assert event.pk not in {f["id"] for f in plain["features"]}


def test_clusters_are_drawn_in_the_maps_datum(client_as, dispatcher, spread, always_cluster,
                                              settings):
    settings.GRIDGOV_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    settings.GRIDGOV_TILE_CRS = "gcj02"
    body = client_as(dispatcher).get(JSON, {"bbox": DISTRICT_BOX, "zoom": 11,
                                            "bbox_crs": "gcj02"}).json()
    assert body["crs"] == "gcj02" and body["mode"] == "clusters"
    wgs = client_as(dispatcher).get(JSON, {"bbox": DISTRICT_BOX, "zoom": 11}).json()
    assert body["total"] == wgs["total"]


@pytest.mark.parametrize("zoom", [11, live_map.DETAIL_ZOOM])
def test_query_count_is_constant_in_the_events(client_as, district_leader, gulou_grid,
                                               always_cluster, zoom,
                                               django_assert_max_num_queries):
    client = client_as(district_leader)
    params = {"bbox": DISTRICT_BOX, "zoom": zoom}
    before = client.get(JSON, params).json()["total"]
    for state in (State.REPORTED, State.FILED, State.DISPATCHED) * 2:
        make_event(gulou_grid, state=state)
    with django_assert_max_num_queries(6):
        assert client.get(JSON, params).json()["total"] == before + 6
