"""The public outlines of the intake forms' point picker (/areas/public/outlines.geojson)."""

import gzip
import json

import pytest
from django.test import Client

from gridgov.accounts.models import User
from gridgov.areas import views
from gridgov.areas.actions import update_area
from gridgov.areas.models import Area, AreaRevision

pytestmark = pytest.mark.django_db

URL = "/areas/public/outlines.geojson"
# The Haishu demo (1,661 areas) answers 550,053 bytes plain and 74,193 gzipped (measured
# 2026-11): the bounds leave room for some more areas, not for unsimplified polygons (about
# 1.4 MB) or for anything but names.
MAX_PLAIN_BYTES = 600 * 1024
MAX_GZIP_BYTES = 100 * 1024


@pytest.fixture(autouse=True)
def fresh_outlines():
    """Rolled-back writes reuse revision numbers: never start from another test's body."""
    views.invalidate_outlines()
    yield
    views.invalidate_outlines()


def features(response):
    return json.loads(response.content)["features"]


def test_anonymous_gets_the_district_outlines_with_names_only(
    district, gulou_street, gulou_community, gulou_grid
):
    response = Client().get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection" and data["crs"] == "wgs84"
    by_code = {f["properties"]["code"]: f for f in data["features"]}
    for area in (district, gulou_street, gulou_community, gulou_grid):
        assert by_code[area.code]["properties"]["name"] == area.name
        assert by_code[area.code]["properties"]["level"] == area.level
    current = Area.objects.current()
    assert len(by_code) == current.count()
    # Codes, names, levels and label points: nothing about people or households.
    allowed = {"code", "name", "level", "label"}
    assert all(set(f["properties"]) <= allowed for f in data["features"])
    body = response.content.decode()
    for user in User.objects.exclude(real_name="")[:50]:
        assert user.real_name not in body
        if user.phone:
            assert user.phone not in body
    for word in ("households", "phone", "staff", "real_name", "responsible"):
        assert word not in body
    # Streets and communities carry a label point for their names; grids do not.
    assert "label" in by_code[gulou_community.code]["properties"]
    assert "label" not in by_code[gulou_grid.code]["properties"]


def test_outlines_are_simplified_and_rounded(gulou_grid):
    data = json.loads(Client().get(URL).content)
    feature = next(f for f in data["features"] if f["properties"]["code"] == gulou_grid.code)
    stored = json.dumps(Area.objects.get(pk=gulou_grid.pk).geometry)
    assert len(json.dumps(feature["geometry"])) <= len(stored)

    def positions(node):
        if isinstance(node[0], int | float):
            yield node
        else:
            for child in node:
                yield from positions(child)

    for lng, lat in positions(feature["geometry"]["coordinates"]):
        assert round(lng, 5) == lng and round(lat, 5) == lat
    # Still where the grid is: its stored centroid lies inside the simplified bounds.
    lngs = [p[0] for p in positions(feature["geometry"]["coordinates"])]
    lats = [p[1] for p in positions(feature["geometry"]["coordinates"])]
    assert min(lngs) <= gulou_grid.centroid_lng <= max(lngs)
    assert min(lats) <= gulou_grid.centroid_lat <= max(lats)


def test_size_is_bounded_and_gzip_is_offered(district):
    plain = Client().get(URL)
    zipped = Client().get(URL, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert len(plain.content) < MAX_PLAIN_BYTES
    assert zipped["Content-Encoding"] == "gzip"
    assert len(zipped.content) < MAX_GZIP_BYTES
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in zipped["Vary"]


def test_etag_answers_304_and_moves_with_the_revision(sys_admin, gulou_grid):
    first = Client().get(URL)
    etag = first["ETag"]
    assert etag and str(AreaRevision.current()) in etag
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    again = Client().get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag and not again.content

    update_area(gulou_grid, actor=sys_admin, name="鼓楼改名网格")
    changed = Client().get(URL, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    names = {f["properties"]["code"]: f["properties"]["name"] for f in features(changed)}
    assert names[gulou_grid.code] == "鼓楼改名网格"


def test_gcj02_for_gcj02_tiles_and_a_bad_crs_is_a_400(gulou_grid):
    wgs = {f["properties"]["code"]: f for f in features(Client().get(URL))}
    gcj = Client().get(URL, {"crs": "gcj02"})
    assert json.loads(gcj.content)["crs"] == "gcj02"
    first_wgs = wgs[gulou_grid.code]["geometry"]["coordinates"][0][0]
    gcj_feature = next(f for f in features(gcj) if f["properties"]["code"] == gulou_grid.code)
    first_gcj = gcj_feature["geometry"]["coordinates"][0][0]
    # GCJ-02 lies a few hundred metres off WGS-84 around Ningbo.
    assert 0.001 < abs(first_gcj[0] - first_wgs[0]) < 0.01
    assert Client().get(URL, {"crs": "gcj02"})["ETag"] != Client().get(URL)["ETag"]

    bad = Client().get(URL, {"crs": "bd09"})
    assert bad.status_code == 400
    assert json.loads(bad.content)["errors"][0]["field"] == "crs"


@pytest.mark.parametrize("tile_url", ["", "https://tiles.example/{z}/{x}/{y}.png"])
def test_intake_forms_always_offer_the_map_with_the_outlines(
    client_as, grid_worker, settings, tile_url
):
    settings.GRIDGOV_TILE_URL = tile_url
    for page in (Client().get("/events/public/report/"),
                 client_as(grid_worker).get("/events/report/")):
        html = page.content.decode()
        assert page.status_code == 200
        assert "data-gg-point-map" in html and f'data-outlines-url="{URL}"' in html
        assert 'data-text-outside="该位置不在本辖区范围内"' in html
