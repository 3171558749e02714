"""Geometry rules: parsing, metric area, inside-parent, sibling overlap, coverage gaps."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from pyproj import Geod
from shapely.geometry import box

from gridgov.areas import geometry
from gridgov.areas.choices import Level
from gridgov.areas.models import Area

from .conftest import C, square


def messages(exc, field="geometry"):
    return " ".join(exc.value.message_dict[field])


# --- parsing -----------------------------------------------------------------------------------

def test_parse_polygon_and_multipolygon():
    poly = geometry.shape_from_geojson(square(121.5, 29.8, 121.6, 29.9))
    assert poly.geom_type == "Polygon"
    multi = geometry.shape_from_geojson({
        "type": "MultiPolygon",
        "coordinates": [square(0, 0, 1, 1)["coordinates"], square(2, 0, 3, 1)["coordinates"]],
    })
    assert multi.geom_type == "MultiPolygon"
    feature = {"type": "Feature", "properties": {}, "geometry": square(0, 0, 1, 1)}
    assert geometry.shape_from_geojson(feature).area == pytest.approx(1.0)


@pytest.mark.parametrize("geom,needle", [
    ({"type": "Point", "coordinates": [121.5, 29.8]}, "Polygon"),
    ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "Polygon"),
    ("not json", "GeoJSON"),
    ([1, 2], "GeoJSON"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1]]]}, "坐标"),
    ({"type": "Polygon", "coordinates": []}, "为空"),
])
def test_parse_rejects_non_polygons(geom, needle):
    with pytest.raises(ValidationError) as exc:
        geometry.shape_from_geojson(geom)
    assert needle in messages(exc)


def test_parse_rejects_out_of_range_coordinates():
    # Latitude and longitude swapped is the usual mistake: 121 is not a latitude.
    swapped = square(29.8, 121.5, 29.9, 121.6)
    with pytest.raises(ValidationError) as exc:
        geometry.shape_from_geojson(swapped)
    assert "纬度" in messages(exc)
    with pytest.raises(ValidationError):
        geometry.shape_from_geojson(square(179.5, 0, 180.5, 1))


def test_parse_rejects_self_intersection_with_reason():
    bowtie = {"type": "Polygon",
              "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(ValidationError) as exc:
        geometry.shape_from_geojson(bowtie)
    text = messages(exc)
    assert "自相交" in text and "0.500000" in text


def test_parse_uses_the_given_field_name():
    with pytest.raises(ValidationError) as exc:
        geometry.shape_from_geojson({"type": "Point", "coordinates": [0, 0]}, field="boundary")
    assert "boundary" in exc.value.message_dict


def test_to_geojson_round_trip():
    geom = square(121.5, 29.8, 121.6, 29.9)
    out = geometry.to_geojson(geometry.shape_from_geojson(geom))
    assert out["type"] == "Polygon"
    assert isinstance(out["coordinates"][0][0], list)
    assert geometry.shape_from_geojson(out).equals(geometry.shape_from_geojson(geom))


# --- area --------------------------------------------------------------------------------------

def test_area_of_a_small_square_near_ningbo():
    # 0.01° × 0.01° at 29.87°N: ~1,113 m north-south by ~965 m east-west.
    shape = box(121.54, 29.87, 121.55, 29.88)
    ours = geometry.area_m2(shape)
    assert ours == pytest.approx(1113.2 * 965.3, rel=0.005)
    geodesic, _ = Geod(ellps="GRS80").geometry_area_perimeter(shape)
    assert ours == pytest.approx(abs(geodesic), rel=0.005)


def test_area_of_a_large_polygon_matches_the_geodesic_area():
    shape = box(121.0, 29.5, 121.8, 30.1)  # about the size of Haishu's bounding box
    geodesic, _ = Geod(ellps="GRS80").geometry_area_perimeter(shape)
    assert geometry.area_m2(shape) == pytest.approx(abs(geodesic), rel=0.005)


# --- check_area --------------------------------------------------------------------------------

def test_child_inside_parent_passes(tcommunity, tgrids):
    # The empty SE quadrant is a valid place for a fourth grid.
    geometry.check_area(Level.GRID, geometry.shape_from_geojson(
        square(100.01, 30.00, 100.02, 30.01)), tcommunity)


def test_child_outside_parent_is_rejected_with_the_area(tcommunity, tgrids):
    # Half of this grid lies east of the community (which ends at 100.02).
    shape = box(100.015, 30.00, 100.025, 30.005)
    with pytest.raises(ValidationError) as exc:
        geometry.check_area(Level.GRID, shape, tcommunity)
    text = messages(exc)
    assert "超出上级区域" in text and C in text
    outside = geometry.area_m2(box(100.02, 30.00, 100.025, 30.005))
    assert f"{outside:.1f}" in text


def test_sliver_outside_parent_is_tolerated(tcommunity, tgrids):
    # Sticks out by 1e-9° (~0.1 mm) along a 1 km edge: ~0.1 m², under the 1 m² tolerance.
    shape = box(100.01, 30.00, 100.02 + 1e-9, 30.01)
    geometry.check_area(Level.GRID, shape, tcommunity)


def test_overlap_with_sibling_is_rejected_naming_it(tcommunity, tgrids):
    # Covers the open SE quadrant plus a strip 0.001° into the NE grid (…002).
    shape = box(100.01, 30.00, 100.02, 30.011)
    with pytest.raises(ValidationError) as exc:
        geometry.check_area(Level.GRID, shape, tcommunity)
    text = messages(exc)
    assert tgrids[1].code in text and "重叠" in text
    overlap = geometry.area_m2(box(100.01, 30.01, 100.02, 30.011))
    assert f"{overlap:.1f}" in text
    assert tgrids[0].code not in text and tgrids[2].code not in text


def test_overlapping_several_siblings_names_each(tcommunity, tgrids):
    shape = box(100.005, 30.005, 100.015, 30.015)
    with pytest.raises(ValidationError) as exc:
        geometry.check_area(Level.GRID, shape, tcommunity)
    errors = exc.value.message_dict["geometry"]
    assert len(errors) == 3
    for grid in tgrids:
        assert any(grid.code in e for e in errors)


def test_shared_edges_and_tiny_overlaps_are_allowed(tcommunity, tgrids):
    # Shares edges with …002 (north) and …003 (west) exactly.
    geometry.check_area(Level.GRID, box(100.01, 30.00, 100.02, 30.01), tcommunity)
    # Overlaps …002 by 1e-9° × 0.01° (≈0.1 m²): within tolerance.
    geometry.check_area(Level.GRID, box(100.01, 30.00, 100.02, 30.01 + 1e-9), tcommunity)


def test_update_excludes_the_area_itself(tcommunity, tgrids):
    grid = tgrids[0]
    geometry.check_area(Level.GRID, geometry.area_shape(grid), tcommunity, exclude_pk=grid.pk)
    with pytest.raises(ValidationError):
        geometry.check_area(Level.GRID, geometry.area_shape(grid), tcommunity)


def test_siblings_that_ended_before_do_not_count(tcommunity, tgrids):
    grid = tgrids[1]
    Area.objects.filter(pk=grid.pk).update(valid_to=dt.date(2024, 1, 1))
    shape = geometry.area_shape(grid)
    # Valid from the day the old grid ended: no overlap in time.
    geometry.check_area(Level.GRID, shape, tcommunity, valid_from=dt.date(2024, 1, 1))
    # Valid from before that: both exist in 2023.
    with pytest.raises(ValidationError):
        geometry.check_area(Level.GRID, shape, tcommunity, valid_from=dt.date(2023, 1, 1))


def test_many_siblings_use_the_tree_and_agree(tcommunity):
    # 20 thin stored strips (beyond STRTREE_MIN_SIBLINGS), then one overlapping the 7th.
    strips = []
    for i in range(20):
        x0 = 100.0 + i * 0.001
        strips.append(Area(
            code=f"{C}{i + 10:03d}", name=f"条{i}", level=Level.GRID, kind="basic",
            parent=tcommunity, geometry=square(x0, 30.0, x0 + 0.001, 30.001), area_m2=1.0,
            centroid_lng=x0, centroid_lat=30.0, valid_from=dt.date(2020, 1, 1),
        ))
    Area.objects.bulk_create(strips)
    siblings = [(a.code, a.name, geometry.shape_from_geojson(a.geometry), None)
                for a in strips]
    assert len(siblings) >= geometry.STRTREE_MIN_SIBLINGS
    probe = box(100.0065, 30.0, 100.0068, 30.001)
    errors = geometry.overlap_errors(probe, siblings)
    assert len(errors) == 1 and strips[6].code in errors[0]
    assert geometry.overlap_errors(probe, siblings[:5]) == []


# --- coverage ----------------------------------------------------------------------------------

def test_coverage_gaps_report_the_open_quadrant(tcommunity, tgrids):
    gaps = geometry.coverage_gaps(tcommunity)
    assert len(gaps) == 1
    gap = gaps[0]
    assert gap["type"] == "Polygon"
    hole = geometry.shape_from_geojson({"type": gap["type"], "coordinates": gap["coordinates"]})
    assert hole.equals(box(100.01, 30.00, 100.02, 30.01))
    assert gap["area_m2"] == pytest.approx(geometry.area_m2(box(100.01, 30.0, 100.02, 30.01)))


def test_no_gaps_when_children_tile_the_parent(tcommunity, tgrids):
    Area.objects.create(
        code=f"{C}004", name="四网格", level=Level.GRID, kind="basic", parent=tcommunity,
        geometry=square(100.01, 30.00, 100.02, 30.01), area_m2=1.0, centroid_lng=100.015,
        centroid_lat=30.005, valid_from=dt.date(2020, 1, 1),
    )
    assert geometry.coverage_gaps(tcommunity) == []
    assert geometry.child_overlaps(tcommunity) == []


def test_child_overlaps_found_in_stored_data(tcommunity, tgrids):
    # Written behind the actions' back (a bad import): the check command must still see it.
    Area.objects.create(
        code=f"{C}004", name="重叠网格", level=Level.GRID, kind="basic", parent=tcommunity,
        geometry=square(100.005, 30.00, 100.02, 30.01), area_m2=1.0, centroid_lng=100.01,
        centroid_lat=30.005, valid_from=dt.date(2020, 1, 1),
    )
    overlaps = geometry.child_overlaps(tcommunity)
    assert [o["codes"] for o in overlaps] == [(tgrids[2].code, f"{C}004")]
    assert overlaps[0]["area_m2"] == pytest.approx(
        geometry.area_m2(box(100.005, 30.0, 100.01, 30.01)), rel=1e-6)


def test_long_shared_edge_with_an_extra_vertex_is_not_a_sliver():
    # A 0.2° straight edge bends in the projection; a neighbour that puts one extra vertex on
    # the same lng/lat line must not be reported as leaving or overlapping real area.
    parent = geometry.shape_from_geojson(square(100.0, 30.0, 100.2, 30.2))
    west = geometry.shape_from_geojson(
        {"type": "Polygon", "coordinates": [[[100.0, 30.0], [100.1, 30.0], [100.1, 30.1],
                                             [100.1, 30.2], [100.0, 30.2], [100.0, 30.0]]]}
    )
    east = geometry.shape_from_geojson(square(100.1, 30.0, 100.2, 30.2))
    leftover = geometry.area_m2(parent) - geometry.area_m2(west) - geometry.area_m2(east)
    assert abs(leftover) < 1.0
