"""巡查 in the field terminal (/m/patrol/): start and stop, live time and distance, the track on
the map, the events found so far and today's patrols.

The page renders from the server (it works from the service worker's cached copy); the patrol
running on the phone lives in ``localStorage`` (``static/patrols/js/patrol.js``), which sends
start, track batches and stop through the outbox, keyed by the patrol's client UUID.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from gridgov.areas import datum
from gridgov.areas.models import Area
from gridgov.core.access import get_scope
from gridgov.field.auth import field_login_required
from gridgov.web.basemap import basemap_config

from . import queries, sampling
from .choices import PatrolState
from .models import Patrol
from .permissions import PATROL

API = "/api/v1/patrols/"


def map_crs() -> str:
    """The datum the map draws in: GCJ-02 only under a GCJ-02 tile server."""
    tiles = bool(settings.GRIDGOV_TILE_URL)
    return "gcj02" if tiles and settings.GRIDGOV_TILE_CRS == "gcj02" else "wgs84"


def outline(code: str | None, crs: str):
    """The area's outline as a GeoJSON feature in the map's datum (None: unknown area)."""
    area = Area.objects.filter(code=code).only("code", "name", "geometry").first() \
        if code else None
    if area is None or not area.geometry:
        return None
    geometry = (datum.geometry_wgs84_to_gcj02(area.geometry) if crs == "gcj02"
                else area.geometry)
    return {"type": "Feature", "geometry": geometry,
            "properties": {"code": area.code, "name": area.name}}


def track(patrol) -> list[list[float]]:
    """The patrol's kept points as ``[[lng, lat], …]`` (WGS-84), simplified for drawing."""
    coords = list(patrol.points.order_by("at").values_list("lng", "lat"))
    return [list(c) for c in sampling.simplified_line(coords)]


def clock(seconds: int) -> str:
    """``HH:MM:SS``."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def map_base(crs: str, *, overlays: bool = True) -> dict:
    # overlays=False on the phone: the field terminal's map stays light.
    return {"crs": crs, "tileUrl": settings.GRIDGOV_TILE_URL,
            "tileAttribution": settings.GRIDGOV_TILE_ATTRIBUTION,
            "basemap": basemap_config(overlays=overlays)}


@field_login_required
def patrol_page(request):
    """The patrol screen of the signed-in grid worker."""
    scope = get_scope(request.user)
    may_patrol = bool(scope and scope.can(PATROL))
    mine = Patrol.objects.filter(worker=request.user)
    active = mine.filter(state=PatrolState.ACTIVE).first()
    start, end = queries.day_bounds(timezone.localdate())
    today = list(mine.filter(started_at__gte=start, started_at__lt=end)
                 .exclude(state=PatrolState.ACTIVE).order_by("-started_at")[:20])
    counts = queries.found_counts(today, request.user)
    for p in today:
        p.found = counts.get(p.pk, 0)
        p.minutes, p.km = round(p.duration_s / 60), f"{p.distance_m / 1000:.2f}"
    if active is not None:
        active.clock, active.km = clock(active.elapsed_s()), f"{active.distance_m / 1000:.2f}"
    found = list(queries.events_found(active, request.user).only(
        "pk", "number", "description", "state")[:50]) if active else []
    crs = map_crs()
    code = active.area_code if active else None
    if code is None and may_patrol:
        from .actions import patrol_area

        code = patrol_area(request.user)
    config = {
        **map_base(crs, overlays=False),
        "api": API,
        "grid": outline(code, crs),
        "active": None if active is None else {
            "clientId": str(active.client_id),
            "startedAt": int(active.started_at.timestamp() * 1000),
            "distance": active.distance_m,
            "last": None if active.last_at is None else [
                active.last_lng, active.last_lat, active.last_accuracy_m,
                int(active.last_at.timestamp() * 1000)],
            "track": track(active)},
        "endedToday": [str(p.client_id) for p in today],
    }
    return render(request, "patrols/field/patrol.html", {
        "may_patrol": may_patrol, "active": active, "today": today, "found": found,
        "config": config, "reported_url": "/m/report/",
    })
