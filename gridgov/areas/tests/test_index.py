"""The point → grid index: boundaries, outside points, batch = single, rebuilds."""

import datetime as dt

import numpy as np
import pytest
import shapely
from django.db.models import F

from gridgov.areas import datum, index
from gridgov.areas.actions import create_area, retire_area, update_area
from gridgov.areas.choices import Kind, Level
from gridgov.areas.models import Area, AreaRevision

from .conftest import START, C, square


def test_inside_points(tgrids):
    idx = index.get_index()
    assert idx.lookup(100.005, 30.015) == tgrids[0].pk
    assert idx.lookup(100.015, 30.015) == tgrids[1].pk
    assert idx.lookup(100.005, 30.005) == tgrids[2].pk


@pytest.mark.parametrize("lng,lat,expected", [
    (100.01, 30.015, 0),   # edge shared by …001 and …002
    (100.005, 30.01, 0),   # edge shared by …001 and …003
    (100.01, 30.01, 0),    # vertex shared by all three
    (100.015, 30.01, 1),   # south edge of …002, on the open quadrant
    (100.01, 30.005, 2),   # east edge of …003, on the open quadrant
    (100.00, 30.02, 0),    # outer corner of …001 (and of the community)
    (100.02, 30.015, 1),   # outer edge of …002
])
def test_boundaries_resolve_to_the_smallest_code(tgrids, lng, lat, expected):
    idx = index.get_index()
    assert idx.lookup(lng, lat) == tgrids[expected].pk
    assert idx.lookup_many(np.array([lng]), np.array([lat]))[0] == tgrids[expected].pk


@pytest.mark.parametrize("lng,lat", [
    (100.015, 30.005),   # the open quadrant: inside the district, in no grid
    (100.03, 30.03),     # inside the district, no community there
    (99.5, 30.0),        # far outside
    (121.0, 85.0),
])
def test_outside_points(tgrids, lng, lat):
    idx = index.get_index()
    assert idx.lookup(lng, lat) is None
    assert idx.lookup_many(np.array([lng]), np.array([lat]))[0] == -1
    with pytest.raises(index.OutsideJurisdiction) as exc:
        index.lookup_point(lng, lat)
    assert exc.value.message_dict == {"location": ["该位置不在本辖区范围内"]}


def test_lookup_point_returns_the_area_and_converts_gcj02(tgrids):
    assert index.lookup_point(100.005, 30.015) == tgrids[0]
    glng, glat = datum.wgs84_to_gcj02(100.005, 30.015)
    assert index.lookup_point(glng, glat, crs="gcj02") == tgrids[0]
    # The same numbers read as WGS-84 are a few hundred metres off: another grid or none.
    assert (glng, glat) != (100.005, 30.015)
    with pytest.raises(ValueError):
        index.lookup_point(100.005, 30.015, crs="bd09")


def test_lookup_grid_answers_from_the_index_without_a_query(tgrids,
                                                           django_assert_num_queries):
    index.lookup_point(100.005, 30.015)  # build the index first
    with django_assert_num_queries(0):
        grid = index.lookup_grid(100.005, 30.015)
        glng, glat = datum.wgs84_to_gcj02(100.015, 30.015)
        second = index.lookup_grid(glng, glat, crs="gcj02")
    expected = tgrids[0]
    assert (grid.pk, grid.code, grid.name, grid.level, grid.kind, grid.parent_id) == (
        expected.pk, expected.code, expected.name, expected.level, expected.kind,
        expected.parent_id)
    assert second.pk == tgrids[1].pk
    # Everything else is deferred and read from the database when first asked for.
    assert "geometry" in grid.get_deferred_fields()
    with django_assert_num_queries(1):
        assert grid.area_m2 == expected.area_m2
    with pytest.raises(index.OutsideJurisdiction):
        index.lookup_grid(100.015, 30.005)


def test_lookup_grid_follows_a_rename(tgrids, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        update_area(tgrids[0], actor=None, name="改名网格")
    assert index.lookup_grid(100.005, 30.015).name == "改名网格"


def test_batch_equals_single_for_many_points(tgrids):
    rng = np.random.default_rng(7)
    lngs = rng.uniform(99.995, 100.025, 4000)
    lats = rng.uniform(29.995, 30.025, 4000)
    # Include every grid corner and edge midpoint, where ties are decided.
    ticks = np.array([100.0, 100.005, 100.01, 100.015, 100.02])
    gx, gy = np.meshgrid(ticks, ticks - 100.0 + 30.0)
    lngs = np.concatenate([lngs, gx.ravel()])
    lats = np.concatenate([lats, gy.ravel()])
    idx = index.get_index()
    many = idx.lookup_many(lngs, lats)
    single = np.array([idx.lookup(x, y) or -1 for x, y in zip(lngs, lats, strict=True)])
    assert many.dtype == np.int64
    np.testing.assert_array_equal(many, single)
    assert set(many.tolist()) == {-1, *(g.pk for g in tgrids)}


def test_empty_input(tgrids):
    out = index.get_index().lookup_many(np.array([]), np.array([]))
    assert out.shape == (0,)


def test_index_holds_only_current_grids(tgrids):
    idx = index.get_index()
    pks = set(idx.polygons()[1].tolist())
    assert {g.pk for g in tgrids} <= pks
    assert not pks & set(Area.objects.exclude(level=Level.GRID).values_list("pk", flat=True))


def test_rebuild_after_create_in_this_process(tcommunity, tgrids,
                                              django_capture_on_commit_callbacks):
    idx = index.get_index()
    assert idx.lookup(100.015, 30.005) is None  # built now, the quadrant is open
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        grid = create_area(code=f"{C}004", name="四网格", level=Level.GRID,
                           kind=Kind.BASIC_GRID, parent=tcommunity,
                           geometry=square(100.01, 30.00, 100.02, 30.01),
                           valid_from=START, actor=None)
    assert callbacks  # the invalidation ran on commit
    assert idx.lookup(100.015, 30.005) == grid.pk
    # Ties still go to the smallest code: the shared vertex stays with …001.
    assert idx.lookup(100.01, 30.01) == tgrids[0].pk


def test_rebuild_after_update_and_retire(tgrids, django_capture_on_commit_callbacks):
    idx = index.get_index()
    assert idx.lookup(100.015, 30.005) is None
    with django_capture_on_commit_callbacks(execute=True):
        update_area(tgrids[1], geometry=square(100.01, 30.00, 100.02, 30.02), actor=None)
    assert idx.lookup(100.015, 30.005) == tgrids[1].pk
    with django_capture_on_commit_callbacks(execute=True):
        retire_area(tgrids[1], valid_to=dt.date(2021, 1, 1), actor=None)
    assert idx.lookup(100.015, 30.005) is None
    assert idx.lookup(100.015, 30.015) is None
    # Retired from a future date: still answers today.
    with django_capture_on_commit_callbacks(execute=True):
        retire_area(tgrids[0], valid_to=dt.date.today() + dt.timedelta(days=30), actor=None)
    assert idx.lookup(100.005, 30.015) == tgrids[0].pk


def _change_behind_the_index(grid):
    """What another process does: a committed write and a revision bump, no invalidate()."""
    Area.objects.filter(pk=grid.pk).update(geometry=square(100.01, 30.00, 100.02, 30.02))
    AreaRevision.objects.filter(pk=AreaRevision.SINGLETON_PK).update(revision=F("revision") + 1)


def test_another_process_change_is_seen_after_the_ttl(tgrids, settings, monkeypatch):
    settings.GRIDGOV_AREA_INDEX_TTL = 60
    clock = [1000.0]
    monkeypatch.setattr(index.time, "monotonic", lambda: clock[0])
    idx = index.get_index()
    assert idx.lookup(100.015, 30.005) is None
    _change_behind_the_index(tgrids[1])
    clock[0] += 30  # within the TTL: the process keeps its index
    assert idx.lookup(100.015, 30.005) is None
    clock[0] += 31  # past the TTL: it compares revisions and rebuilds
    assert idx.lookup(100.015, 30.005) == tgrids[1].pk


def test_no_rebuild_without_a_revision_change(tgrids, settings, monkeypatch):
    settings.GRIDGOV_AREA_INDEX_TTL = 0
    idx = index.get_index()
    assert idx.lookup(100.015, 30.005) is None
    # Changed without bumping the revision (not how the actions write): the index is kept,
    # which shows it is the revision, not a reload per lookup, that triggers a rebuild.
    Area.objects.filter(pk=tgrids[1].pk).update(geometry=square(100.01, 30.00, 100.02, 30.02))
    assert idx.lookup(100.015, 30.005) is None
    AreaRevision.bump()
    assert idx.lookup(100.015, 30.005) == tgrids[1].pk


def test_invalidate_forces_a_rebuild(tgrids):
    idx = index.get_index()
    assert idx.lookup(100.015, 30.005) is None
    Area.objects.filter(pk=tgrids[1].pk).update(geometry=square(100.01, 30.00, 100.02, 30.02))
    assert idx.lookup(100.015, 30.005) is None
    index.invalidate()
    assert idx.lookup(100.015, 30.005) == tgrids[1].pk


def test_revision_bump_counts(db):
    start = AreaRevision.current()
    AreaRevision.bump()
    AreaRevision.bump()
    assert AreaRevision.current() == start + 2


# --- on the Haishu demo district (real boundary, generated grids) -----------------------------

def test_demo_every_grid_finds_itself(district):
    from gridgov.areas.geometry import area_shape

    grids = list(Area.objects.current().filter(level=Level.GRID, code__startswith="330203"))
    assert len(grids) > 1000
    points = [area_shape(g).representative_point() for g in grids]
    lngs = np.array([p.x for p in points])
    lats = np.array([p.y for p in points])
    found = index.get_index().lookup_many(lngs, lats)
    np.testing.assert_array_equal(found, np.array([g.pk for g in grids]))


def test_demo_batch_equals_single_and_shared_vertices(district, gulou_community):
    from gridgov.areas.geometry import area_shape

    minx, miny, maxx, maxy = area_shape(district).bounds
    rng = np.random.default_rng(2016)
    lngs = rng.uniform(minx, maxx, 3000)
    lats = rng.uniform(miny, maxy, 3000)
    # Every vertex of the community's grids: most are shared by two or three grids.
    grids = list(gulou_community.children.current().order_by("code"))
    vertices = np.unique(np.concatenate(
        [np.asarray(area_shape(g).exterior.coords) for g in grids]), axis=0)
    lngs = np.concatenate([lngs, vertices[:, 0]])
    lats = np.concatenate([lats, vertices[:, 1]])
    idx = index.get_index()
    many = idx.lookup_many(lngs, lats)
    single = np.array([idx.lookup(x, y) or -1 for x, y in zip(lngs, lats, strict=True)])
    np.testing.assert_array_equal(many, single)
    # A vertex belongs to the smallest code among the grids that touch it.
    by_pk = {g.pk: g.code for g in grids}
    for (x, y), pk in zip(vertices, many[-len(vertices):], strict=True):
        touching = [g.code for g in grids if area_shape(g).intersects(shapely.Point(x, y))]
        if pk in by_pk:  # (vertices on the community's edge may belong to a neighbour)
            assert by_pk[pk] == min(touching)
    # Outside the district, nothing.
    assert idx.lookup(minx - 0.01, miny - 0.01) is None
