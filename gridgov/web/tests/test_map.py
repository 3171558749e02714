"""The grid map page: configuration for the user's area, tiles as a setting, vendored assets."""

import importlib.util
import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def map_config(response):
    return response.context["map_config"]


def inside(bounds, lng, lat):
    (south, west), (north, east) = bounds
    return south <= lat <= north and west <= lng <= east


def test_map_frames_the_grid_workers_grid(client_as, grid_worker, gulou_grid):
    response = client_as(grid_worker).get("/map/")
    assert response.status_code == 200
    cfg = map_config(response)
    assert cfg["ownCodes"] == [gulou_grid.code]
    assert cfg["ownAreas"] == [{"code": gulou_grid.code, "name": gulou_grid.name,
                                "level": "grid"}]
    assert inside(cfg["bounds"], gulou_grid.centroid_lng, gulou_grid.centroid_lat)
    # A grid is a few hundred metres across: the frame is the grid, not the district.
    (south, west), (north, east) = cfg["bounds"]
    assert north - south < 0.05 and east - west < 0.05


def test_map_frames_the_leaders_street(client_as, leader, gulou_street, gulou_grid):
    cfg = map_config(client_as(leader).get("/map/"))
    assert cfg["ownCodes"] == [gulou_street.code]
    assert inside(cfg["bounds"], gulou_street.centroid_lng, gulou_street.centroid_lat)
    assert inside(cfg["bounds"], gulou_grid.centroid_lng, gulou_grid.centroid_lat)


def test_map_config_is_embedded_as_json_with_labels(client_as, grid_worker):
    response = client_as(grid_worker).get("/map/")
    html = response.content.decode()
    assert 'id="gg-map-config"' in html
    start = html.index('id="gg-map-config"')
    body = html[html.index(">", start) + 1: html.index("</script>", start)]
    cfg = json.loads(body)
    assert cfg["geojsonUrl"] == "/api/v1/areas/geojson/"
    assert cfg["areasUrl"] == "/api/v1/areas/"
    assert cfg["kindLabels"]["basic"] == "基础网格"
    assert cfg["kindLabels"]["dedicated"] == "专属网格"
    assert cfg["crs"] == "wgs84"
    # No tile server by default: polygons on a plain background.
    assert cfg["tileUrl"] == ""
    assert "gg-no-tiles" in html
    for level in ("district", "street", "community", "grid"):
        assert f'data-gg-layer="{level}"' in html


def test_tile_url_setting_adds_tiles(client_as, grid_worker, settings):
    settings.GRIDGOV_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    settings.GRIDGOV_TILE_ATTRIBUTION = "测试底图"
    settings.GRIDGOV_TILE_CRS = "wgs84"
    response = client_as(grid_worker).get("/map/")
    cfg = map_config(response)
    assert cfg["tileUrl"] == settings.GRIDGOV_TILE_URL
    assert cfg["tileAttribution"] == "测试底图"
    assert cfg["crs"] == "wgs84"
    assert "gg-no-tiles" not in response.content.decode()


def test_gcj02_tiles_ask_the_api_for_gcj02(client_as, grid_worker, settings):
    settings.GRIDGOV_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    settings.GRIDGOV_TILE_CRS = "gcj02"
    assert map_config(client_as(grid_worker).get("/map/"))["crs"] == "gcj02"


def test_gcj02_without_tiles_stays_wgs84(client_as, grid_worker, settings):
    # With no tiles there is nothing to align with: the stored datum is drawn as is.
    settings.GRIDGOV_TILE_URL = ""
    settings.GRIDGOV_TILE_CRS = "gcj02"
    assert map_config(client_as(grid_worker).get("/map/"))["crs"] == "wgs84"


def test_the_layers_the_map_requests_are_scoped(api_as, grid_worker, gulou_grid,
                                                gulou_community):
    """What map.js asks for: every level once, then the grids of each community in view."""
    api = api_as(grid_worker)
    for level in ("district", "street", "community"):
        response = api.get("/api/areas/geojson/", {"level": level})
        assert response.status_code == 200
        codes = [f["properties"]["code"] for f in response.json()["features"]]
        assert codes == [gulou_grid.code[: {"district": 6, "street": 9, "community": 12}[level]]]
    response = api.get("/api/areas/geojson/", {"level": "grid", "parent": gulou_community.code})
    features = response.json()["features"]
    assert [f["properties"]["code"] for f in features] == [gulou_grid.code]
    props = features[0]["properties"]
    for key in ("code", "name", "level", "kind", "area_m2", "households", "generated"):
        assert key in props
    detail = api.get(f"/api/areas/{gulou_grid.code}/").json()
    assert grid_worker.real_name in [s["real_name"] for s in detail["staff"]]


def test_leader_gets_every_grid_of_a_community(api_as, leader, gulou_community):
    from gridgov.areas.models import Area

    response = api_as(leader).get("/api/areas/geojson/",
                                  {"level": "grid", "parent": gulou_community.code})
    expected = Area.objects.filter(parent=gulou_community).count()
    assert len(response.json()["features"]) == expected > 1


def test_vendored_assets_match_their_manifest():
    spec = importlib.util.spec_from_file_location("vendor", ROOT / "scripts" / "vendor.py")
    vendor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vendor)
    assert vendor.check() == 0
    manifest = json.loads((vendor.VENDOR_DIR / "vendor.json").read_text(encoding="utf-8"))
    versions = {p["name"]: p["version"] for p in manifest}
    assert versions["leaflet"].startswith("1.9.")
    assert versions["htmx.org"].startswith("2.")


def test_vendored_assets_are_served(client):
    for path in ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css",
                 "vendor/htmx/htmx.min.js", "gridgov/js/map.js", "gridgov/css/gridgov.css"):
        response = client.get(django_settings.STATIC_URL + path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("fixture", ["grid_worker", "leader", "district_leader", "sys_admin"])
def test_map_page_query_count_is_bounded(request, client_as, django_assert_max_num_queries,
                                         fixture):
    client = client_as(request.getfixturevalue(fixture))
    client.get("/map/")
    # The polygons come from the API; the page itself only frames the user's areas.
    with django_assert_max_num_queries(6):
        assert client.get("/map/").status_code == 200
