"""The OGC API – Features through Django's test client: the landing page, conformance, the
collections, items with bbox, datetime, limit and keyset paging, single items, CRS (EPSG:4490
latitude first), content negotiation and bad parameters."""

import json
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from gridgov.areas.models import Area
from gridgov.demo.users import GULOU_GRID
from gridgov.protocols.ogcapi import crs as crs_mod

pytestmark = pytest.mark.django_db

GEOJSON = "application/geo+json"




def body(response):
    return json.loads(response.content)


def test_landing_links_and_conformance():
    client = Client()
    landing = client.get("/ogcapi/")
    assert landing.status_code == 200
    assert landing["Content-Type"].startswith("application/json")
    rels = {link["rel"]: link for link in body(landing)["links"]}
    assert {"self", "alternate", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["alternate"]["type"] == "text/html"
    conformance = body(client.get("/ogcapi/conformance"))["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance
    api = client.get(urlparse(rels["service-desc"]["href"]).path)
    assert api.status_code == 200
    doc = body(api)
    assert doc["openapi"].startswith("3.0")
    assert "/collections/{collectionId}/items" in doc["paths"]


def test_collections_describe_crs_and_extent():
    listing = body(Client().get("/ogcapi/collections"))
    grids = next(c for c in listing["collections"] if c["id"] == "grids")
    assert grids["itemType"] == "feature"
    assert grids["storageCrs"] == crs_mod.CRS84
    assert crs_mod.EPSG_4490 in grids["crs"]
    minx, miny, maxx, maxy = grids["extent"]["spatial"]["bbox"][0]
    assert 121 < minx < maxx < 122 and 29 < miny < maxy < 30.5
    assert not grids.get("gridgov:overlay")


def test_grids_items_are_polygons_inside_the_bbox():
    grid = Area.objects.get(code=GULOU_GRID)
    box = f"{grid.min_lng},{grid.min_lat},{grid.max_lng},{grid.max_lat}"
    response = Client().get("/ogcapi/collections/grids/items", {"bbox": box, "limit": 500})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(GEOJSON)
    assert response["Content-Crs"] == f"<{crs_mod.CRS84}>"
    data = body(response)
    assert data["type"] == "FeatureCollection"
    codes = {f["properties"]["code"] for f in data["features"]}
    assert GULOU_GRID in codes
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in data["features"])
    assert data["numberReturned"] == len(data["features"])
    assert data["numberMatched"] == len(data["features"])
    assert "timeStamp" in data
    # A grid far from the box is not there.
    everything = Area.objects.filter(level="grid").count()
    assert len(codes) < everything


def test_paging_by_cursor_visits_every_grid_once():
    client = Client()
    total = Area.objects.current().filter(level="grid").count()
    url, params, seen, pages = "/ogcapi/collections/grids/items", {"limit": 7}, [], 0
    first = True
    while url:
        data = body(client.get(url, params))
        if first:
            assert data["numberMatched"] == total
            first = False
        else:
            assert "numberMatched" not in data  # only the first page counts
        seen.extend(f["id"] for f in data["features"])
        nxt = next((link["href"] for link in data["links"] if link["rel"] == "next"), None)
        if nxt:
            parsed = urlparse(nxt)
            url, params = parsed.path, {k: v[0] for k, v in parse_qs(parsed.query).items()}
            assert "cursor" in params and "offset" not in params
        else:
            url = None
        pages += 1
    assert len(seen) == total == len(set(seen))
    assert seen == sorted(seen)
    assert pages == -(-total // 7)


def test_prev_link_goes_back_one_page():
    client = Client()
    first = body(client.get("/ogcapi/collections/grids/items", {"limit": 5}))
    nxt = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = body(client.get(urlparse(nxt).path + "?" + urlparse(nxt).query))
    prev = next(link["href"] for link in second["links"] if link["rel"] == "prev")
    back = body(client.get(urlparse(prev).path + "?" + urlparse(prev).query))
    assert [f["id"] for f in back["features"]] == [f["id"] for f in first["features"]]


def test_epsg_4490_puts_latitude_first_and_reads_bbox_that_way():
    grid = Area.objects.get(code=GULOU_GRID)
    client = Client()
    plain = body(client.get(f"/ogcapi/collections/grids/items/{grid.pk}"))
    response = client.get(f"/ogcapi/collections/grids/items/{grid.pk}",
                          {"crs": crs_mod.EPSG_4490})
    assert response["Content-Crs"] == f"<{crs_mod.EPSG_4490}>"
    swapped = body(response)
    lon, lat = plain["geometry"]["coordinates"][0][0][:2]
    assert swapped["geometry"]["coordinates"][0][0][:2] == [lat, lon]
    assert 29 < lat < 31 and 121 < lon < 122
    # bbox in EPSG:4490: min lat, min lon, max lat, max lon.
    box = f"{grid.min_lat},{grid.min_lng},{grid.max_lat},{grid.max_lng}"
    items = body(client.get("/ogcapi/collections/grids/items",
                            {"bbox": box, "bbox-crs": crs_mod.EPSG_4490, "limit": 500}))
    assert grid.pk in [f["id"] for f in items["features"]]


@pytest.mark.parametrize("query,field", [
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "121,30,122,29"}, "bbox"),
    ({"limit": "0"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, "crs"),
    ({"datetime": "yesterday"}, "datetime"),
    ({"datetime": "2026-12-01/2026-11-01"}, "datetime"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"colour": "red"}, "colour"),
    ({"bbox-crs": crs_mod.EPSG_4490}, "bbox-crs"),
    ({"f": "xml"}, "f"),
])
def test_bad_parameters_are_400_naming_the_parameter(query, field):
    response = Client().get("/ogcapi/collections/grids/items", query)
    assert response.status_code == 400
    data = body(response)
    assert data["code"] == "InvalidParameterValue"
    assert field in data["fields"]


def test_limit_above_the_maximum_is_served_at_the_maximum():
    response = Client().get("/ogcapi/collections/grids/items", {"limit": 999999})
    assert response.status_code == 200


def test_html_by_accept_or_f_and_json_for_programs():
    client = Client()
    browser = client.get("/ogcapi/collections", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert browser["Content-Type"].startswith("text/html")
    assert "grids" in browser.content.decode()
    assert client.get("/ogcapi/collections", HTTP_ACCEPT="*/*")["Content-Type"].startswith(
        "application/json")
    items = client.get("/ogcapi/collections/grids/items", {"f": "html", "limit": 3})
    assert items["Content-Type"].startswith("text/html")
    assert 'id="gg-ogc-features"' in items.content.decode()
    json_items = client.get("/ogcapi/collections/grids/items", {"limit": 3},
                            HTTP_ACCEPT="application/geo+json")
    assert json_items["Content-Type"].startswith(GEOJSON)


def test_unknown_collection_and_feature_are_404():
    client = Client()
    assert client.get("/ogcapi/collections/nothing").status_code == 404
    assert client.get("/ogcapi/collections/grids/items/999999999").status_code == 404
    assert body(client.get("/ogcapi/collections/nothing"))["code"] == "NotFound"


def test_datetime_filters_events_by_their_report_time(client_as, district_leader):
    from gridgov.events.models import Event

    client = client_as(district_leader)
    event = Event.objects.restrict(district_leader).order_by("created_at").first()
    day = event.created_at.date().isoformat()
    data = body(client.get("/ogcapi/collections/events/items",
                           {"datetime": f"{day}T00:00:00+08:00/..", "limit": 10000}))
    assert data["features"]
    assert all(f["properties"]["created_at"] >= event.created_at.isoformat()[:10]
               for f in data["features"])
    none = body(client.get("/ogcapi/collections/events/items",
                           {"datetime": "../1999-01-01T00:00:00Z"}))
    assert none["features"] == []
