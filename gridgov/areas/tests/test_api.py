"""The areas API: list, detail, GeoJSON, point lookup, writes; scope, errors, query counts."""

import datetime as dt

import pytest
from shapely.geometry import box as shapely_box
from shapely.geometry import mapping, shape

from gridgov.areas import datum
from gridgov.areas.models import Area
from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db

LIST = "/api/areas/"
GEOJSON = "/api/areas/geojson/"
LOOKUP = "/api/areas/lookup/"


def detail(code):
    return f"/api/areas/{code}/"


def feature(code):
    return f"/api/areas/{code}/geojson/"


def inside_point(area):
    """A point guaranteed to lie inside the area's polygon (not merely its bounding box)."""
    p = shape(area.geometry).representative_point()
    return p.x, p.y


def first_grid_of(area):
    return Area.objects.filter(code__startswith=area.code, level="grid").order_by("code").first()


def error_fields(response):
    return {e["field"] for e in response.json()["errors"]}


# --- list ------------------------------------------------------------------------------------


def test_list_is_scoped_and_has_no_geometry(api_as, leader, gulou_street, other_street, district):
    response = api_as(leader).get(LIST, {"limit": 1000})
    assert response.status_code == 200
    body = response.json()
    rows = body["results"]
    codes = {r["code"] for r in rows}
    assert gulou_street.code in codes
    assert district.code in codes  # the district is context above the street
    assert other_street.code not in codes
    assert all(c.startswith(gulou_street.code) or c == district.code for c in codes)
    assert body["count"] == len(rows)
    row = next(r for r in rows if r["code"] == gulou_street.code)
    assert "geometry" not in row
    assert row["parent"] == district.code
    assert row["level"] == "street" and row["level_label"]
    assert row["kind_label"]
    assert {"area_m2", "households", "generated", "valid_from", "valid_to"} <= set(row)


def test_list_filters(api_as, district_leader, gulou_street, gulou_community):
    api = api_as(district_leader)
    grids = api.get(LIST, {"level": "grid", "parent": gulou_community.code, "limit": 500}).json()
    expected = Area.objects.filter(parent=gulou_community).count()
    assert grids["count"] == expected > 1
    assert all(r["parent"] == gulou_community.code for r in grids["results"])

    communities = api.get(LIST, {"level": "community", "within": gulou_street.code}).json()
    assert communities["count"] == Area.objects.filter(
        level="community", code__startswith=gulou_street.code
    ).count()
    assert all(r["code"].startswith(gulou_street.code) for r in communities["results"])

    by_name = api.get(LIST, {"q": "鼓楼"}).json()
    assert gulou_street.code in {r["code"] for r in by_name["results"]}
    by_code = api.get(LIST, {"q": gulou_community.code}).json()
    assert {r["code"][:12] for r in by_code["results"]} == {gulou_community.code}

    real = api.get(LIST, {"generated": "false", "limit": 500}).json()["results"]
    assert real and not any(r["generated"] for r in real)
    made = api.get(LIST, {"generated": "true", "level": "grid", "limit": 5}).json()["results"]
    assert made and all(r["generated"] for r in made)

    basic = api.get(LIST, {"kind": "basic", "within": gulou_community.code}).json()["results"]
    assert basic and all(r["kind"] == "basic" for r in basic)


def test_list_rejects_bad_filters_with_the_field(api_as, leader):
    response = api_as(leader).get(LIST, {"level": "planet"})
    assert response.status_code == 400
    assert "level" in error_fields(response)
    response = api_as(leader).get(LIST, {"within": "33a"})
    assert response.status_code == 400
    assert "within" in error_fields(response)


def test_list_query_count_does_not_grow_with_rows(api_as, district_leader,
                                                 django_assert_max_num_queries):
    api = api_as(district_leader)
    with django_assert_max_num_queries(6):
        response = api.get(LIST, {"level": "grid", "limit": 1000})
    assert response.status_code == 200
    assert len(response.json()["results"]) > 50


# --- detail ----------------------------------------------------------------------------------


def test_detail_of_own_grid(api_as, grid_worker, gulou_grid, gulou_community):
    response = api_as(grid_worker).get(detail(gulou_grid.code))
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == gulou_grid.code
    assert body["parent"]["code"] == gulou_community.code
    assert [a["code"] for a in body["ancestors"]] == [
        gulou_grid.code[:6], gulou_grid.code[:9], gulou_grid.code[:12]
    ]
    assert body["children_count"] == 0
    assert body["area_m2"] == pytest.approx(gulou_grid.area_m2)
    assert set(body["centroid"]) == {"lng", "lat"}
    assert body["validity"]["is_current"] is True
    assert body["generated"] is gulou_grid.generated
    assert body["responsible"]
    assert "geometry" not in body
    staff = {s["real_name"]: s for s in body["staff"]}
    me = staff[grid_worker.real_name]
    assert me["role"] == "grid_worker" and me["role_label"] == "网格员"
    if grid_worker.phone:
        assert me["phone"] != grid_worker.phone and "****" in me["phone"]
        assert me["phone"][-4:] == grid_worker.phone[-4:]


def test_detail_children_count_is_scoped(api_as, grid_worker, grid_chief, gulou_community):
    all_grids = Area.objects.filter(parent=gulou_community).count()
    chief = api_as(grid_chief).get(detail(gulou_community.code)).json()
    assert chief["children_count"] == all_grids
    # The grid worker sees the community only as context: one grid of it is theirs.
    assert api_as(grid_worker).get(detail(gulou_community.code)).json()["children_count"] == 1


def test_detail_staff_never_shows_administrators(api_as, district_leader, district, sys_admin):
    body = api_as(district_leader).get(detail(district.code)).json()
    roles = {s["role"] for s in body["staff"]}
    assert not roles & {"sys_admin", "sec_admin", "audit_admin"}
    assert sys_admin.real_name not in {s["real_name"] for s in body["staff"]}
    assert "leader" in roles


def test_detail_outside_scope_is_404_like_missing(api_as, grid_worker, gulou_grid2):
    api = api_as(grid_worker)
    hidden = api.get(detail(gulou_grid2.code))
    missing = api.get(detail("330203999999999"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["errors"][0]["code"] == missing.json()["errors"][0]["code"]


def test_detail_query_count(api_as, leader, gulou_community, django_assert_max_num_queries):
    api = api_as(leader)
    with django_assert_max_num_queries(7):
        assert api.get(detail(gulou_community.code)).status_code == 200


# --- GeoJSON ---------------------------------------------------------------------------------


def test_geojson_collection(api_as, grid_chief, gulou_community):
    response = api_as(grid_chief).get(GEOJSON, {"level": "grid", "parent": gulou_community.code})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["crs"] == "wgs84"
    expected = set(Area.objects.filter(parent=gulou_community).values_list("code", flat=True))
    assert {f["id"] for f in body["features"]} == expected
    f = body["features"][0]
    assert f["type"] == "Feature"
    assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert {"code", "name", "level", "kind", "kind_label", "area_m2", "households",
            "generated"} <= set(f["properties"])
    assert f["properties"]["parent"] == gulou_community.code
    assert f["properties"]["kind_label"] in ("基础网格", "专属网格")


def test_geojson_plain_json_on_request(api_as, leader):
    response = api_as(leader).get(GEOJSON, {"level": "street"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["type"] == "FeatureCollection"


def test_geojson_is_scoped(api_as, grid_worker, gulou_grid, gulou_grid2, gulou_community):
    body = api_as(grid_worker).get(GEOJSON, {"level": "grid"}).json()
    assert [f["id"] for f in body["features"]] == [gulou_grid.code]
    body = api_as(grid_worker).get(GEOJSON, {"within": gulou_community.code}).json()
    ids = {f["id"] for f in body["features"]}
    assert gulou_community.code in ids and gulou_grid.code in ids
    assert gulou_grid2.code not in ids


def test_geojson_gcj02_shifts_coordinates(api_as, leader, gulou_grid):
    api = api_as(leader)
    plain = api.get(feature(gulou_grid.code)).json()
    shifted = api.get(feature(gulou_grid.code), {"crs": "gcj02"}).json()
    ring_w = _first_ring(plain["geometry"])
    ring_g = _first_ring(shifted["geometry"])
    lng, lat = ring_w[0][:2]
    expected = datum.wgs84_to_gcj02(lng, lat)
    assert ring_g[0][0] == pytest.approx(expected[0], abs=1e-9)
    assert ring_g[0][1] == pytest.approx(expected[1], abs=1e-9)
    # In Ningbo the GCJ-02 offset is a few hundred metres: visibly different, same shape.
    assert 0.001 < abs(ring_g[0][0] - lng) < 0.01
    assert len(ring_g) == len(ring_w)


def _first_ring(geometry):
    coords = geometry["coordinates"]
    return coords[0] if geometry["type"] == "Polygon" else coords[0][0]


def test_geojson_bbox(api_as, district_leader, gulou_grid, other_street):
    api = api_as(district_leader)
    lng, lat = inside_point(gulou_grid)
    bbox = f"{lng - 0.0001},{lat - 0.0001},{lng + 0.0001},{lat + 0.0001}"
    body = api.get(GEOJSON, {"level": "grid", "bbox": bbox}).json()
    ids = {f["id"] for f in body["features"]}
    assert gulou_grid.code in ids
    assert not any(i.startswith(other_street.code) for i in ids)
    assert len(ids) <= 4  # a tiny window touches the grid and at most a few neighbours

    # The same window given in GCJ-02 finds the same grid.
    glng, glat = datum.wgs84_to_gcj02(lng, lat)
    gbox = f"{glng - 0.0001},{glat - 0.0001},{glng + 0.0001},{glat + 0.0001}"
    body = api.get(GEOJSON, {"level": "grid", "bbox": gbox, "crs": "gcj02"}).json()
    assert gulou_grid.code in {f["id"] for f in body["features"]}

    far = api.get(GEOJSON, {"bbox": "100,10,100.1,10.1"}).json()
    assert far["features"] == []


@pytest.mark.parametrize("params,field", [
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "a,b,c,d"}, "bbox"),
    ({"bbox": "121.6,29.8,121.5,29.9"}, "bbox"),
    ({"bbox": "121.5,29.8,221.6,29.9"}, "bbox"),
    ({"crs": "mars"}, "crs"),
    ({"level": "x"}, "level"),
])
def test_geojson_bad_params(api_as, leader, params, field):
    response = api_as(leader).get(GEOJSON, params)
    assert response.status_code == 400
    assert field in error_fields(response)


def test_geojson_query_count(api_as, district_leader, django_assert_max_num_queries):
    api = api_as(district_leader)
    with django_assert_max_num_queries(4):
        response = api.get(GEOJSON, {"level": "grid"})
    assert response.status_code == 200
    assert len(response.json()["features"]) > 50


def test_single_feature(api_as, grid_worker, gulou_grid, gulou_grid2):
    api = api_as(grid_worker)
    response = api.get(feature(gulou_grid.code))
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "Feature" and body["id"] == gulou_grid.code
    assert body["properties"]["code"] == gulou_grid.code
    assert shape(body["geometry"]).area == pytest.approx(shape(gulou_grid.geometry).area)
    assert api.get(feature(gulou_grid2.code)).status_code == 404


# --- point lookup ----------------------------------------------------------------------------


def test_lookup_wgs84(api_as, leader, gulou_grid, gulou_community, gulou_street, district):
    lng, lat = inside_point(gulou_grid)
    response = api_as(leader).get(LOOKUP, {"lng": lng, "lat": lat})
    assert response.status_code == 200
    body = response.json()
    assert body["grid"]["code"] == gulou_grid.code
    assert body["grid"]["name"] == gulou_grid.name
    assert body["community"]["code"] == gulou_community.code
    assert body["street"]["code"] == gulou_street.code
    assert body["district"]["code"] == district.code
    assert body["lng"] == pytest.approx(lng) and body["lat"] == pytest.approx(lat)


def test_lookup_gcj02(api_as, leader, gulou_grid):
    lng, lat = inside_point(gulou_grid)
    glng, glat = datum.wgs84_to_gcj02(lng, lat)
    body = api_as(leader).get(LOOKUP, {"lng": glng, "lat": glat, "crs": "gcj02"}).json()
    assert body["grid"]["code"] == gulou_grid.code
    assert body["lng"] == pytest.approx(lng, abs=1e-7)


def test_lookup_is_not_scoped(api_as, grid_worker, other_street):
    # Which grid a point lies in is public geography; a grid worker may ask about any point.
    grid = first_grid_of(other_street)
    lng, lat = inside_point(grid)
    body = api_as(grid_worker).get(LOOKUP, {"lng": lng, "lat": lat}).json()
    assert body["grid"]["code"] == grid.code
    assert "staff" not in body["grid"]


def test_lookup_outside_jurisdiction(api_as, leader):
    response = api_as(leader).get(LOOKUP, {"lng": 116.397, "lat": 39.909})  # Beijing
    assert response.status_code == 404
    assert response.json() == {"errors": [{
        "field": None, "code": "outside_jurisdiction", "message": "该位置不在本辖区范围内",
    }]}


@pytest.mark.parametrize("params,field", [
    ({"lat": 29.87}, "lng"),
    ({"lng": 121.55}, "lat"),
    ({"lng": "east", "lat": 29.87}, "lng"),
    ({"lng": 121.55, "lat": 95}, "lat"),
    ({"lng": 181, "lat": 29.87}, "lng"),
    ({"lng": "nan", "lat": 29.87}, "lng"),
    ({"lng": 121.55, "lat": 29.87, "crs": "bd09"}, "crs"),
])
def test_lookup_bad_input(api_as, leader, params, field):
    response = api_as(leader).get(LOOKUP, params)
    assert response.status_code == 400
    assert field in error_fields(response)


# --- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, GEOJSON, LOOKUP + "?lng=121.55&lat=29.87"])
def test_anonymous_is_refused(client, url):
    assert client.get(url).status_code in (401, 403)


def test_api_key_client_reads_areas(client, dept_handler, gulou_grid):
    from gridgov.accounts.actions import issue_api_key

    _, raw = issue_api_key(dept_handler.department, name="测试对接", actor=None)
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}
    assert client.get(detail(gulou_grid.code), **auth).status_code == 200
    body = client.get(LIST, {"level": "street"}, **auth).json()
    assert body["count"] == Area.objects.filter(level="street").count()
    lng, lat = inside_point(gulou_grid)
    looked = client.get(LOOKUP, {"lng": lng, "lat": lat}, **auth).json()
    assert looked["grid"]["code"] == gulou_grid.code
    # A client may read, never write.
    patch = client.patch(detail(gulou_grid.code), {"name": "x"}, content_type="application/json",
                         **auth)
    assert patch.status_code in (403, 404)


# --- writes ----------------------------------------------------------------------------------


def neighbour_district_geometry():
    """A square east of Haishu (on the sea side of Ningbo), outside every existing area."""
    return mapping(shapely_box(122.30, 29.60, 122.40, 29.70))


def test_sys_admin_creates_area_with_audit(api_as, sys_admin):
    response = api_as(sys_admin).post(LIST, {
        "code": "330299", "name": "测试区", "level": "district", "kind": "district",
        "geometry": neighbour_district_geometry(), "valid_from": "2026-01-01",
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "330299" and body["parent"] is None
    assert body["area_m2"] > 1e7
    area = Area.objects.get(code="330299")
    assert AuditRecord.objects.filter(object_type="areas.area", object_id=str(area.pk)).exists()


def test_create_honours_gcj02(api_as, sys_admin):
    geometry = datum.geometry_wgs84_to_gcj02(neighbour_district_geometry())
    response = api_as(sys_admin).post(LIST + "?crs=gcj02", {
        "code": "330298", "name": "测试区二", "level": "district", "kind": "district",
        "geometry": geometry,
    }, format="json")
    assert response.status_code == 201, response.content
    stored = shape(Area.objects.get(code="330298").geometry)
    assert stored.bounds == pytest.approx((122.30, 29.60, 122.40, 29.70), abs=1e-6)


def test_create_rejects_overlap_with_field_and_reason(api_as, sys_admin, gulou_community,
                                                      gulou_grid):
    # A new grid drawn over an existing one of the same community.
    response = api_as(sys_admin).post(LIST, {
        "code": gulou_community.code + "998", "name": "重叠网格", "level": "grid",
        "kind": "basic", "parent": gulou_community.code, "geometry": gulou_grid.geometry,
    }, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["field"] == "geometry"
    assert errors[0]["message"]
    assert not Area.objects.filter(code=gulou_community.code + "998").exists()


def test_create_rejects_outside_parent(api_as, sys_admin, gulou_community):
    response = api_as(sys_admin).post(LIST, {
        "code": gulou_community.code + "997", "name": "界外网格", "level": "grid",
        "kind": "basic", "parent": gulou_community.code,
        "geometry": neighbour_district_geometry(),
    }, format="json")
    assert response.status_code == 400
    assert "geometry" in error_fields(response)


def test_create_rejects_malformed_input(api_as, sys_admin):
    api = api_as(sys_admin)
    response = api.post(LIST, {"code": "330297", "level": "district", "kind": "district",
                               "geometry": neighbour_district_geometry()}, format="json")
    assert response.status_code == 400
    assert "name" in error_fields(response)
    response = api.post(LIST, {"code": "330297", "name": "坏区", "level": "district",
                               "kind": "district", "geometry": {"type": "Polygon"}},
                        format="json")
    assert response.status_code == 400
    assert "geometry" in error_fields(response)
    response = api.post(LIST + "?crs=gcj02", {
        "code": "330297", "name": "坏区", "level": "district", "kind": "district",
        "geometry": {"type": "Polygon", "coordinates": "nope"}}, format="json")
    assert response.status_code == 400
    assert "geometry" in error_fields(response)


@pytest.mark.parametrize("role", ["leader", "district_leader", "grid_worker", "sec_admin"])
def test_only_sys_admin_writes(request, api_as, role, gulou_grid):
    user = request.getfixturevalue(role)
    api = api_as(user)
    created = api.post(LIST, {
        "code": "330296", "name": "越权区", "level": "district", "kind": "district",
        "geometry": neighbour_district_geometry(),
    }, format="json")
    assert created.status_code == 403
    patched = api.patch(detail(gulou_grid.code), {"name": "改名"}, format="json")
    assert patched.status_code in (403, 404)
    assert Area.objects.get(pk=gulou_grid.pk).name == gulou_grid.name
    assert not Area.objects.filter(code="330296").exists()


def test_sys_admin_patches_attributes(api_as, sys_admin, gulou_grid):
    response = api_as(sys_admin).patch(detail(gulou_grid.code), {
        "name": "鼓楼一号网格(改)", "households": 321, "responsible_party": "测试物业",
    }, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "鼓楼一号网格(改)"
    assert body["households"] == 321
    assert body["responsible"] == "测试物业"
    assert AuditRecord.objects.filter(
        object_type="areas.area", object_id=str(gulou_grid.pk)
    ).exists()


def test_patch_geometry_outside_parent_is_400(api_as, sys_admin, gulou_grid):
    response = api_as(sys_admin).patch(detail(gulou_grid.code), {
        "geometry": neighbour_district_geometry(),
    }, format="json")
    assert response.status_code == 400
    assert "geometry" in error_fields(response)
    assert Area.objects.get(pk=gulou_grid.pk).geometry == gulou_grid.geometry


def test_patch_valid_to_retires(api_as, sys_admin, gulou_grid2):
    response = api_as(sys_admin).patch(detail(gulou_grid2.code), {"valid_to": "2030-01-01"},
                                       format="json")
    assert response.status_code == 200, response.content
    assert response.json()["validity"]["valid_to"] == "2030-01-01"
    assert Area.objects.get(pk=gulou_grid2.pk).valid_to == dt.date(2030, 1, 1)


def test_put_is_not_offered(api_as, sys_admin, gulou_grid):
    response = api_as(sys_admin).put(detail(gulou_grid.code), {"name": "x"}, format="json")
    assert response.status_code == 405


def test_list_filters_do_not_apply_to_one_area(api_as, leader, gulou_grid):
    response = api_as(leader).get(detail(gulou_grid.code), {"level": "street"})
    assert response.status_code == 200
    assert response.json()["code"] == gulou_grid.code
