"""The OGC API with a real client: OWSLib's ``owslib.ogcapi.features.Features`` against a
live server on the test's own connection (so the test's layers and grants are there).

A "QGIS-style" client lists the collections, fetches the grids in a bbox as GeoJSON and draws
them (polygons), pages through next links, asks for EPSG:4490, and a department key reads
what its grants allow."""

import pytest
import requests
from owslib.ogcapi.features import Features

from gridgov.areas.models import Area
from gridgov.demo.users import GULOU_GRID, GULOU_STREET
from gridgov.protocols.ogcapi import crs as crs_mod

pytestmark = pytest.mark.django_db


def client(server_url, headers=None) -> Features:
    # OWSLib keeps its default headers in one module-level dict and updates it in place with
    # the caller's: hand it a copy so a key never leaks into the next client.
    import owslib.ogcapi as ogcapi

    saved = dict(ogcapi.REQUEST_HEADERS)
    try:
        api = Features(f"{server_url}/ogcapi/", headers=headers)
        api.headers = {**saved, **(headers or {})}
        return api
    finally:
        ogcapi.REQUEST_HEADERS.clear()
        ogcapi.REQUEST_HEADERS.update(saved)


def test_owslib_lists_collections_and_draws_the_grids_in_a_bbox(server_url, layers):
    api = client(server_url)
    conformance = api.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance
    collections = api.feature_collections()
    assert {"district", "streets", "communities", "grids", "layer-test-shelters"} <= set(
        collections)
    assert "buildings" not in collections
    grids = api.collection("grids")
    assert grids["id"] == "grids" and grids["storageCrs"] == crs_mod.CRS84

    street = Area.objects.get(code=GULOU_STREET)
    box = [street.min_lng, street.min_lat, street.max_lng, street.max_lat]
    result = api.collection_items("grids", bbox=box, limit=1000)
    features = result["features"]
    assert features and result["numberReturned"] == len(features)
    inside = set(Area.objects.filter(level="grid", code__startswith=GULOU_STREET)
                 .values_list("code", flat=True))
    codes = {f["properties"]["code"] for f in features}
    assert inside <= codes  # every grid of the street intersects its bbox
    # "Draw" them: every feature is a closed polygon in lon/lat around Ningbo.
    from shapely.geometry import shape

    for feature in features:
        polygon = shape(feature["geometry"])
        assert polygon.geom_type in ("Polygon", "MultiPolygon") and polygon.is_valid
        x, y = polygon.representative_point().coords[0]
        assert 121 < x < 122 and 29 < y < 30.5


def test_owslib_pages_through_next_links(server_url):
    api = client(server_url)
    total = Area.objects.current().filter(level="grid").count()
    page = api.collection_items("grids", limit=10)
    assert page["numberMatched"] == total
    seen = [f["id"] for f in page["features"]]
    session = requests.Session()
    while True:
        nxt = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        if nxt is None:
            break
        response = session.get(nxt, headers={"Accept": "application/geo+json"})
        assert response.status_code == 200
        page = response.json()
        seen.extend(f["id"] for f in page["features"])
    assert len(seen) == len(set(seen)) == total


def test_owslib_asks_for_cgcs2000(server_url):
    api = client(server_url)
    grid = Area.objects.get(code=GULOU_GRID)
    result = api.collection_items("grids", bbox=[grid.min_lat, grid.min_lng, grid.max_lat,
                                                 grid.max_lng],
                                  **{"bbox-crs": crs_mod.EPSG_4490, "crs": crs_mod.EPSG_4490})
    assert api.response_headers["Content-Crs"] == f"<{crs_mod.EPSG_4490}>"
    feature = next(f for f in result["features"] if f["properties"]["code"] == GULOU_GRID)
    lat, lon = feature["geometry"]["coordinates"][0][0][:2]
    assert 29 < lat < 30.5 and 121 < lon < 122  # latitude first
    one = api.collection_item("grids", str(grid.pk))
    assert one["geometry"]["coordinates"][0][0][:2] == [lon, lat]


def test_owslib_with_a_department_key(server_url, zhifa_key, layers):
    anonymous = client(server_url)
    assert "layer-test-flood" not in anonymous.feature_collections()
    keyed = client(server_url, headers={"X-API-Key": zhifa_key})
    assert "layer-test-flood" in keyed.feature_collections()
    flood = keyed.collection_items("layer-test-flood", limit=2)
    assert flood["numberReturned"] == 2 and flood["numberMatched"] == 3
    assert flood["features"][0]["properties"]["name"] == "点1"
    # The anonymous client is untouched by the other's key.
    with pytest.raises(RuntimeError):
        anonymous.collection_items("layer-test-flood")
