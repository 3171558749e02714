"""Cameras near a point (附近的摄像头), through a per-process spatial index.

Each process keeps one ``CameraIndex`` over the active cameras' points (a shapely STRtree on
longitude/latitude, with parallel numpy arrays of ids and coordinates). A lookup asks the
tree for the points in a degree box around the position (the box is a little larger than
the circle), then takes the exact great-circle distance of those candidates in one
vectorised call, keeps those within the radius and sorts them. Which of them the user may
use is then one indexed query: ``Camera.objects.restrict(user, "view").filter(pk__in=...)``.

The index is rebuilt

- after ``invalidate()`` (the registry's verbs call it at once and when they commit);
- when the registry has moved on in another process (a command, another worker): its
  revision — the count of active cameras and the latest ``updated_at`` — is compared at most
  every ``GRIDGOV_VIDEO_INDEX_TTL`` seconds (default: ``GRIDGOV_AREA_INDEX_TTL``, 10), as the
  area index does with ``AreaRevision``.
"""

import math
import threading
import time

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Count, Max

EARTH_RADIUS_M = 6_371_000
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
MAX_RADIUS_M = 5_000
# Candidates whose usability one query asks about; the next slice only when too few remain.
CHUNK = 2_000


def haversine_m(lng, lat, lngs, lats):
    """Great-circle distances in metres from one point to arrays of points."""
    p1 = math.radians(lat)
    p2 = np.radians(lats)
    dp = p2 - p1
    dl = np.radians(lngs - lng)
    h = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


class _Snapshot:
    __slots__ = ("tree", "ids", "lngs", "lats", "revision")

    def __init__(self, ids, lngs, lats, revision):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.lngs = np.asarray(lngs, dtype=float)
        self.lats = np.asarray(lats, dtype=float)
        self.tree = shapely.STRtree(shapely.points(self.lngs, self.lats))
        self.revision = revision


class CameraIndex:
    """The process's camera point index. Use ``get_index()``; tests and the benchmark may
    build one from arrays with ``from_arrays``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._snap: _Snapshot | None = None
        self._dirty = True
        self._next_check = 0.0
        self._static = False

    @classmethod
    def from_arrays(cls, ids, lngs, lats) -> "CameraIndex":
        """An index over given points that never reads the database (benchmarks)."""
        index = cls()
        index._snap = _Snapshot(ids, lngs, lats, None)
        index._dirty = False
        index._static = True
        return index

    def invalidate(self) -> None:
        self._dirty = True

    @staticmethod
    def _ttl() -> float:
        default = getattr(settings, "GRIDGOV_AREA_INDEX_TTL", 10)
        return float(getattr(settings, "GRIDGOV_VIDEO_INDEX_TTL", default))

    @staticmethod
    def _revision():
        from .models import Camera

        row = Camera.objects.aggregate(n=Count("id"), at=Max("updated_at"))
        return (row["n"], row["at"])

    def _fresh(self) -> _Snapshot:
        snap = self._snap
        if self._static or (snap is not None and not self._dirty
                            and time.monotonic() < self._next_check):
            return snap
        with self._lock:
            if self._snap is None or self._dirty or self._revision() != self._snap.revision:
                return self._rebuild()
            self._next_check = time.monotonic() + self._ttl()
            return self._snap

    def _rebuild(self) -> _Snapshot:
        from .models import Camera

        # Clear the flag first: an invalidate() arriving during the build forces another.
        self._dirty = False
        revision = self._revision()
        rows = list(Camera.objects.filter(is_active=True).order_by("pk")
                    .values_list("pk", "lng", "lat"))
        ids, lngs, lats = (zip(*rows, strict=True) if rows else ((), (), ()))
        snap = _Snapshot(ids, lngs, lats, revision)
        self._snap = snap
        self._next_check = time.monotonic() + self._ttl()
        return snap

    @property
    def size(self) -> int:
        return len(self._fresh().ids)

    def within(self, lng: float, lat: float, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
        """(ids, metres) of the indexed cameras within ``radius_m`` of the WGS-84 point,
        nearest first (equal distances by id)."""
        snap = self._fresh()
        if not len(snap.ids):
            return np.empty(0, dtype=np.int64), np.empty(0)
        dlat = radius_m / METRES_PER_DEGREE * 1.01
        dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
        hits = snap.tree.query(shapely.box(lng - dlng, lat - dlat, lng + dlng, lat + dlat))
        if not len(hits):
            return np.empty(0, dtype=np.int64), np.empty(0)
        metres = haversine_m(lng, lat, snap.lngs[hits], snap.lats[hits])
        keep = metres <= radius_m
        hits, metres = hits[keep], metres[keep]
        order = np.lexsort((snap.ids[hits], metres))
        return snap.ids[hits][order], metres[order]


_index = CameraIndex()


def get_index() -> CameraIndex:
    return _index


def invalidate() -> None:
    """Make this process rebuild its camera index on the next lookup."""
    _index.invalidate()


def nearby_cameras(user, lng, lat, radius_m=200, limit=20, crs="wgs84"):
    """[(Camera, metres)] of the cameras ``user`` may use within ``radius_m`` metres of the
    point (``crs`` wgs84 or gcj02), nearest first, at most ``limit``; [] for a user without
    ``video.use``. Cameras come with their owner department."""
    from gridgov.areas.datum import to_wgs84
    from gridgov.core.access import get_scope

    from .models import Camera
    from .permissions import USE

    scope = get_scope(user)
    if scope is None or not scope.can(USE) or limit <= 0:
        return []
    radius_m = min(max(float(radius_m), 0.0), MAX_RADIUS_M)
    wlng, wlat = to_wgs84(float(lng), float(lat), crs)
    ids, metres = _index.within(wlng, wlat, radius_m)
    out = []
    for start in range(0, len(ids), CHUNK):
        part = [int(i) for i in ids[start:start + CHUNK]]
        usable = {c.pk: c for c in Camera.objects.restrict(user, "view")
                  .filter(pk__in=part).select_related("owner")}
        for offset, pk in enumerate(part):
            camera = usable.get(pk)
            if camera is not None:
                out.append((camera, float(metres[start + offset])))
                if len(out) >= limit:
                    return out
    return out


def casefile_source(event, user, now):
    """The event page's "附近的摄像头": the cameras the reader may use within 200 m; None (no
    such section at all) for a reader who may use no camera."""
    from django.urls import reverse

    from gridgov.core.access import get_scope
    from gridgov.events.views.casefile import NearbyItem

    from .permissions import USE

    scope = get_scope(user)
    if scope is None or not scope.can(USE):
        return None
    items = []
    for camera, metres in nearby_cameras(user, event.lng, event.lat, radius_m=200, limit=20):
        owner = camera.owner.short_name or camera.owner.name
        items.append(NearbyItem(
            kind="camera", title=camera.name, subtitle=f"{camera.code} · {owner}",
            state=camera.status, state_label=str(camera.get_status_display()),
            distance=round(metres), lng=camera.lng, lat=camera.lat,
            url=reverse("video:camera", args=[camera.code]) + f"?event={event.pk}"))
    return items
