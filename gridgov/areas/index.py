"""Point → grid lookup through a per-process spatial index (shapely STRtree).

Each process keeps one ``AreaIndex`` over the polygons of the grids valid today, built lazily
on first use. It is rebuilt

- after ``invalidate()`` (the area actions call it when their transaction commits), and
- when ``AreaRevision`` has moved on, checked at most every ``GRIDGOV_AREA_INDEX_TTL`` seconds,
  so a change made by another process (another worker, a command) is seen within that time;
- when the date changes (grids start and end on dates).

The tree holds the prepared polygons in code order and a parallel numpy array of area ids.
A lookup takes the tree's bounding-box candidates and tests them with one vectorised
point-in-polygon call (boundary included), so a point on an edge or vertex shared by several
grids resolves to the smallest code, the same way in single and batch lookups. A point in no
grid is outside the jurisdiction: ``None`` / ``-1``, or ``OutsideJurisdiction`` from
``lookup_point``, never a nearest guess.
"""

import threading
import time

import numpy as np
import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Level
from .datum import to_wgs84

OUTSIDE = -1


class OutsideJurisdiction(ValidationError):
    """A position that lies in no current grid of the platform's jurisdiction."""

    message_text = _("该位置不在本辖区范围内")

    def __init__(self, lng=None, lat=None, field: str = "location"):
        self.lng, self.lat = lng, lat
        super().__init__(
            {field: ValidationError(self.message_text, code="outside_jurisdiction")}
        )


class _Snapshot:
    """One immutable build of the index (swapped whole, so readers never see half a build)."""

    __slots__ = ("tree", "ids", "rows", "geoms", "revision", "day", "bounds")

    def __init__(self, tree, ids, geoms, revision, day, rows=()):
        self.tree = tree
        self.ids = ids
        # (id, code, name, level, kind, parent_id) per grid, in the same order as ``ids``.
        self.rows = rows
        self.geoms = geoms
        self.revision = revision
        self.day = day
        self.bounds = shapely.total_bounds(geoms) if len(geoms) else None


class AreaIndex:
    """The process's point → grid index. Use ``get_index()``; do not build your own."""

    def __init__(self):
        self._lock = threading.Lock()
        self._snap: _Snapshot | None = None
        self._dirty = True
        self._next_check = 0.0

    # -- state ---------------------------------------------------------------------------

    def invalidate(self) -> None:
        """Forget the current build; the next lookup rebuilds."""
        self._dirty = True

    def _ttl(self) -> float:
        return float(getattr(settings, "GRIDGOV_AREA_INDEX_TTL", 10))

    def _fresh(self) -> _Snapshot:
        """The current snapshot, rebuilt first if invalidated, stale or from another day."""
        snap = self._snap
        if snap is not None and not self._dirty and time.monotonic() < self._next_check:
            return snap
        with self._lock:
            snap = self._snap
            if snap is None or self._dirty:
                return self._rebuild()
            if time.monotonic() >= self._next_check:
                from .models import AreaRevision

                if (AreaRevision.current() != snap.revision
                        or timezone.localdate() != snap.day):
                    return self._rebuild()
                self._next_check = time.monotonic() + self._ttl()
            return self._snap

    def _rebuild(self) -> _Snapshot:
        from .geometry import area_shape
        from .models import Area, AreaRevision

        # Clear the flag first: an invalidate() arriving during the build forces another.
        self._dirty = False
        revision = AreaRevision.current()
        day = timezone.localdate()
        rows = list(
            Area.objects.current(day).filter(level=Level.GRID)
            .only("pk", "code", "name", "level", "kind", "parent_id", "geometry", "updated_at")
            .order_by("code")
        )
        geoms = np.array([area_shape(a) for a in rows], dtype=object)
        ids = np.array([a.pk for a in rows], dtype=np.int64)
        # Prepared polygons answer point-in-polygon from a segment index, not a ring walk.
        shapely.prepare(geoms)
        tree = shapely.STRtree(geoms)
        light = tuple((a.pk, a.code, a.name, a.level, a.kind, a.parent_id) for a in rows)
        snap = _Snapshot(tree, ids, geoms, revision, day, light)
        self._snap = snap
        self._next_check = time.monotonic() + self._ttl()
        return snap

    # -- queries -------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """How many grids the index holds."""
        return len(self._fresh().ids)

    @property
    def revision(self) -> int:
        return self._fresh().revision

    def bounds(self):
        """(min_lng, min_lat, max_lng, max_lat) of all indexed grids, or None when empty."""
        b = self._fresh().bounds
        return None if b is None else tuple(float(v) for v in b)

    def polygons(self) -> tuple[np.ndarray, np.ndarray]:
        """(geometries, area ids) of the indexed grids, in code order (for benchmarks)."""
        snap = self._fresh()
        return snap.geoms, snap.ids

    def lookup(self, lng: float, lat: float) -> int | None:
        """The id of the grid containing (lng, lat) (WGS-84), or None outside every grid.

        Points on a shared edge or vertex belong to the grid with the smallest code.
        """
        snap = self._fresh()
        position = self._position(snap, lng, lat)
        return None if position is None else int(snap.ids[position])

    def lookup_row(self, lng: float, lat: float) -> tuple | None:
        """(id, code, name, level, kind, parent_id) of the grid containing the point, or None."""
        snap = self._fresh()
        position = self._position(snap, lng, lat)
        return None if position is None else snap.rows[position]

    @staticmethod
    def _position(snap, lng, lat) -> int | None:
        hits = snap.tree.query(shapely.Point(lng, lat))
        if len(hits) == 0:
            return None
        hits = hits[shapely.intersects_xy(snap.geoms[hits], lng, lat)]
        if len(hits) == 0:
            return None
        return int(hits.min())

    def lookup_many(self, lngs, lats) -> np.ndarray:
        """Grid ids for many WGS-84 points at once; -1 where a point lies in no grid.

        Same answers as ``lookup`` point by point (ties go to the smallest code).
        """
        lngs = np.asarray(lngs, dtype=float)
        lats = np.asarray(lats, dtype=float)
        snap = self._fresh()
        out = np.full(lngs.shape[0], OUTSIDE, dtype=np.int64)
        if len(snap.ids) == 0 or lngs.shape[0] == 0:
            return out
        # Candidates by bounding box from the tree, then one vectorised point-in-polygon test
        # against the prepared polygons. (Asking the tree for predicate="intersects" prepares
        # every input point instead and tests it against the raw polygon: slower.)
        points = shapely.points(lngs, lats)
        point_idx, tree_idx = snap.tree.query(points)
        if point_idx.size == 0:
            return out
        inside = shapely.intersects_xy(snap.geoms[tree_idx], lngs[point_idx], lats[point_idx])
        point_idx = point_idx[inside]
        tree_idx = tree_idx[inside]
        # First hit per point in tree order (= code order); only points on shared edges or
        # vertices have more than one.
        first = np.full(lngs.shape[0], len(snap.ids), dtype=np.int64)
        np.minimum.at(first, point_idx, tree_idx)
        found = first < len(snap.ids)
        out[found] = snap.ids[first[found]]
        return out


_index = AreaIndex()


def get_index() -> AreaIndex:
    """The process's point → grid index."""
    return _index


def invalidate() -> None:
    """Make this process rebuild its index on the next lookup (after an area change)."""
    _index.invalidate()


def lookup_point(lng, lat, crs: str = "wgs84"):
    """The current grid (``Area``) containing a point given in ``crs`` (wgs84, gcj02, cgcs2000).

    Raises ``OutsideJurisdiction`` when the point lies in no grid, ``ValueError`` for an
    unknown ``crs``.
    """
    from .models import Area

    wlng, wlat = to_wgs84(float(lng), float(lat), crs)
    area_id = _index.lookup(wlng, wlat)
    if area_id is None:
        raise OutsideJurisdiction(lng, lat)
    try:
        return _grid_with_parent(area_id)
    except Area.DoesNotExist:
        # Deleted behind the index's back (a restore, a test rollback): rebuild and retry once.
        _index.invalidate()
        area_id = _index.lookup(wlng, wlat)
        if area_id is None:
            raise OutsideJurisdiction(lng, lat)
        return _grid_with_parent(area_id)


LIGHT_FIELDS = ("id", "code", "name", "level", "kind", "parent_id")


def lookup_grid(lng, lat, crs: str = "wgs84"):
    """Like ``lookup_point``, without a query: the grid as an ``Area`` holding only the
    fields the index keeps (id, code, name, level, kind, parent_id); any other field loads
    from the database when first read.

    For the intake path, where the one query ``lookup_point`` makes was a tenth of the
    request's time. The index is rebuilt whenever the areas change (see the module
    docstring), so the row is as current as the lookup itself.
    """
    from django.db import DEFAULT_DB_ALIAS

    from .models import Area

    wlng, wlat = to_wgs84(float(lng), float(lat), crs)
    row = _index.lookup_row(wlng, wlat)
    if row is None:
        raise OutsideJurisdiction(lng, lat)
    return Area.from_db(DEFAULT_DB_ALIAS, LIGHT_FIELDS, row)


def _grid_with_parent(area_id):
    """The grid and its community, without their outlines (decoding them is the costliest
    part of an intake request, and no caller of ``lookup_point`` reads them)."""
    from .models import Area

    return (Area.objects.select_related("parent").defer("geometry", "parent__geometry")
            .get(pk=area_id))
