"""底图: basemap_config for each tile source, and every map page carrying it."""

import json

import pytest

from gridgov.web.basemap import basemap_config, csp_image_sources, tile_crs

pytestmark = pytest.mark.django_db

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def no_tiles(settings):
    settings.GRIDGOV_TILE_URL = ""
    settings.GRIDGOV_TILE_CRS = "wgs84"
    settings.GRIDGOV_TIANDITU_KEY = ""
    return settings


def test_no_tile_service_draws_the_own_base(no_tiles):
    cfg = basemap_config()
    assert cfg["source"] == "own" and cfg["tiles"] == [] and cfg["crs"] == "wgs84"
    assert cfg["outlinesUrl"] == "/areas/public/outlines.geojson"
    # Streets are named at once, communities and grids only when zoomed in.
    assert cfg["labelZoom"]["street"] < cfg["labelZoom"]["community"] < cfg["labelZoom"]["grid"]
    assert cfg["overlaysUrl"] == "/ogcapi/collections?f=json"
    json.dumps(cfg)  # JSON-able (lazy strings resolved)


def test_gcj02_setting_without_tiles_stays_wgs84(no_tiles):
    no_tiles.GRIDGOV_TILE_CRS = "gcj02"
    assert basemap_config()["crs"] == "wgs84" and tile_crs() == "wgs84"


def test_xyz_source(no_tiles):
    no_tiles.GRIDGOV_TILE_URL = "https://{s}.tiles.example.gov.cn/{z}/{x}/{y}.png"
    no_tiles.GRIDGOV_TILE_ATTRIBUTION = "测试底图"
    no_tiles.GRIDGOV_TILE_SUBDOMAINS = "abc"
    no_tiles.GRIDGOV_TILE_MAX_ZOOM = 17
    cfg = basemap_config()
    assert cfg["source"] == "xyz" and cfg["crs"] == "wgs84"
    assert cfg["tiles"] == [{"name": "xyz", "url": no_tiles.GRIDGOV_TILE_URL,
                             "attribution": "测试底图", "maxNativeZoom": 17,
                             "subdomains": "abc"}]
    assert cfg["attribution"] == ""  # the tiles carry theirs


def test_xyz_gcj02_datum_and_the_wgs84_only_maps(no_tiles):
    no_tiles.GRIDGOV_TILE_URL = "https://webrd0{s}.is.autonavi.com/{z}/{x}/{y}"
    no_tiles.GRIDGOV_TILE_CRS = "gcj02"
    cfg = basemap_config()
    assert cfg["crs"] == "gcj02" and cfg["tiles"]
    assert cfg["outlinesUrl"].endswith("?crs=gcj02")
    # A map that draws WGS-84 whatever the tiles gets the own base instead of misaligned tiles.
    plain = basemap_config(wgs84_only=True)
    assert plain["crs"] == "wgs84" and plain["tiles"] == [] and plain["source"] == "own"
    assert "crs=" not in plain["outlinesUrl"]


def test_tianditu_with_a_key(no_tiles):
    no_tiles.GRIDGOV_TIANDITU_KEY = KEY
    cfg = basemap_config()
    assert cfg["source"] == "tianditu" and cfg["crs"] == "wgs84"  # CGCS2000 ≈ WGS-84
    vec, cva = cfg["tiles"]
    assert "/vec_w/wmts?" in vec["url"] and "LAYER=vec" in vec["url"]
    assert "/cva_w/wmts?" in cva["url"] and "LAYER=cva" in cva["url"]
    for layer in (vec, cva):
        assert layer["url"].startswith("https://t{s}.tianditu.gov.cn/")
        assert f"tk={KEY}" in layer["url"]
        assert layer["subdomains"] == "01234567"
        assert "TILEMATRIX={z}&TILEROW={y}&TILECOL={x}" in layer["url"]
    assert "天地图" in vec["attribution"] and cva["attribution"] == ""
    assert csp_image_sources() == ["https://*.tianditu.gov.cn"]


def test_an_xyz_url_wins_over_tianditu(no_tiles):
    no_tiles.GRIDGOV_TIANDITU_KEY = KEY
    no_tiles.GRIDGOV_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    cfg = basemap_config()
    assert cfg["source"] == "xyz" and KEY not in json.dumps(cfg)


def test_no_key_no_tianditu(no_tiles, client_as, leader):
    cfg = basemap_config()
    assert "tianditu" not in json.dumps(cfg) and "tk=" not in json.dumps(cfg)
    assert csp_image_sources() == []
    assert "tianditu" not in client_as(leader).get("/map/").content.decode()


def test_overlays_can_be_left_out(no_tiles):
    cfg = basemap_config(overlays=False)
    assert cfg["overlaysUrl"] == ""


def test_grid_map_carries_the_basemap(no_tiles, client_as, grid_worker):
    no_tiles.GRIDGOV_TIANDITU_KEY = KEY
    response = client_as(grid_worker).get("/map/")
    cfg = response.context["map_config"]
    assert cfg["basemap"]["source"] == "tianditu"
    html = response.content.decode()
    assert "gridgov/js/basemap.js" in html
    assert html.index("gridgov/js/basemap.js") < html.index("gridgov/js/map.js")


def test_pages_with_data_attribute_maps_embed_the_config(no_tiles, client_as, leader,
                                                          gulou_street):
    html = client_as(leader).get(f"/areas/{gulou_street.code}/").content.decode()
    assert 'id="gg-basemap-config"' in html and "gridgov/js/basemap.js" in html
    start = html.index('id="gg-basemap-config"')
    cfg = json.loads(html[html.index(">", start) + 1: html.index("</script>", start)])
    assert cfg["source"] == "own"
