"""The live map of the command room (实时地图, ``events.command_room``).

- ``/events/command/map/``: the page: the map at full height beside a collapsible panel with
  the filters (state, major class, supervision, deadline), the legend and the count; markers
  cluster, grid outlines and names show when zoomed in (from the scoped areas GeoJSON API),
  a marker's popup links to the case file. The page fetches the events of its viewport
  again every ``REFRESH_SECONDS`` and after every move (debounced), and updates the markers
  in place (``events/live_map.js``);
- ``/events/command/map/events.geojson?bbox=west,south,east,north&zoom=z``: the events in
  scope (open ones unless a state filter says otherwise) inside the viewport (WGS-84, or
  ``bbox_crs=gcj02`` for a GCJ-02 map; 400 naming ``bbox``, ``bbox_crs`` or ``zoom`` when
  bad). Below ``DETAIL_ZOOM``, when the view holds more than ``FEATURE_LIMIT`` events, the
  answer is clusters computed in SQL (``mode: "clusters"``): one GROUP BY over a square grid
  cell ``CLUSTER_PX`` pixels wide at the zoom, each with its count, centroid, extent and how
  many are overdue or due soon; otherwise the events themselves (``mode: "features"``, at
  most ``MAP_LIMIT``, earliest due first), read with ``values()``, coloured by state, due
  soon in amber and overdue in red. The mark is the database's (``with_deadline_status``),
  the rule the queue counts use. Without ``zoom`` the answer is the events themselves as
  before clustering; without ``bbox`` the view is the whole scope (the page's first request,
  which frames the map). ``total`` is the number of events the answer stands for;
  ``updated`` is the local time of the answer, shown as "更新于 HH:MM:SS".
"""

import math

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Max, Min, Value
from django.db.models.functions import Floor
from django.http import JsonResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridgov.areas.datum import from_wgs84, to_wgs84
from gridgov.core.api import json_errors
from gridgov.core.views import PermissionRequiredMixin
from gridgov.web.basemap import basemap_config

from .. import deadlines
from ..choices import DeadlineStatus, State, Urgency
from ..filtersets import EventFilterSet
from ..models import Event, MajorCategory
from ..open_cases import open_q

MAP_LIMIT = 2000
# A viewport holding at most this many events gets them one by one (the page clusters them
# itself); more, and it gets clusters counted in SQL, until ``DETAIL_ZOOM``.
FEATURE_LIMIT = 500
# From this zoom on (a few streets' blocks in view) the events are drawn one by one.
DETAIL_ZOOM = 16
MAX_ZOOM = 22
# A server cluster gathers the events of a square cell this many pixels wide at the zoom.
CLUSTER_PX = 64
CLUSTER_COLOR = "#1f77b4"
BBOX_CRS = ("wgs84", "gcj02")
STATE_LABELS = dict(State.choices)
PERMISSION = "events.command_room"
REFRESH_SECONDS = 30
# Grid outlines are fetched (by the view's box) from this zoom on, their names from the next.
GRID_MIN_ZOOM = 15
# States offered as filters: the ones a case can be found in on the map.
FILTER_STATES = [s for s in State if s not in (State.NOT_FILED, State.VOID, State.MERGED)]

STATE_COLORS = {
    State.HELD: "#7a7a7a", State.REPORTED: "#1f77b4", State.REGISTERED: "#17becf",
    State.FILED: "#9467bd", State.DISPATCHED: "#ff7f0e", State.IN_PROGRESS: "#bcbd22",
    State.COMPLETED: "#2ca02c", State.SUSPENDED: "#8c564b", State.CLOSED: "#4d4d4d",
    State.NOT_FILED: "#aaaaaa", State.VOID: "#aaaaaa", State.MERGED: "#aaaaaa",
}
OVERDUE_COLOR = "#d62728"
DUE_SOON_COLOR = "#f5a623"
DEADLINE_COLORS = {DeadlineStatus.OVERDUE: OVERDUE_COLOR, DeadlineStatus.DUE_SOON: DUE_SOON_COLOR}


def color(state, deadline_status) -> str:
    """A marker's colour: the deadline mark when it calls for attention, else the state's."""
    return DEADLINE_COLORS.get(deadline_status) or STATE_COLORS.get(state, "#333333")


def _map_crs() -> str:
    tiles = bool(settings.GRIDGOV_TILE_URL)
    return "gcj02" if tiles and settings.GRIDGOV_TILE_CRS == "gcj02" else "wgs84"


class CommandMapView(PermissionRequiredMixin, TemplateView):
    """实时地图: the events in scope on the map, coloured by state and deadline."""

    template_name = "events/command/map.html"
    permission = PERMISSION

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET
        chosen = set(query.getlist("state"))
        ctx["states"] = [{"value": s.value, "label": s.label, "color": STATE_COLORS[s],
                          "checked": s.value in chosen} for s in FILTER_STATES]
        ctx["majors"] = list(MajorCategory.objects.filter(is_active=True)
                             .order_by("code").values("code", "name"))
        ctx["chosen"] = {"major": query.get("major", ""),
                         "supervised": query.get("supervised", ""),
                         "deadline": query.get("deadline", "")}
        ctx["deadline_legend"] = [
            {"label": DeadlineStatus(status).label, "color": colour}
            for status, colour in DEADLINE_COLORS.items()]
        ctx["map_config"] = _config()
        return ctx


def _config() -> dict:
    """The page script's configuration (``#gg-event-map-config``): URLs, tiles, labels."""
    crs = _map_crs()
    return {
        "geojsonUrl": reverse("events:command_geojson"),
        "areasUrl": reverse("area-geojson") if _has_areas_api() else "",
        "crs": crs,
        "tileUrl": settings.GRIDGOV_TILE_URL,
        "tileAttribution": settings.GRIDGOV_TILE_ATTRIBUTION,
        "basemap": basemap_config(),
        "overdueColor": OVERDUE_COLOR,
        "dueSoonColor": DUE_SOON_COLOR,
        "refreshSeconds": REFRESH_SECONDS,
        "gridMinZoom": GRID_MIN_ZOOM,
        "text": {
            "loaded": _("显示 %(n)s 件事件"),
            "truncated": _("(仅显示最早到期的前 %(n)s 件)"),
            "clustered": _("(按区域聚合显示,放大或点击圆圈查看单件)"),
            "failed": _("加载失败,请稍后重试"),
            "updated": _("更新于 %(t)s"),
            "overdue": _("已超期"),
            "due_soon": _("即将到期"),
            "supervised": _("督办"),
            "urgent": _("紧急"),
            "open": _("打开案卷"),
            "collapse": _("收起"),
            "expand": _("筛选与图例"),
            "zoomForGrids": _("放大到街区可看到网格边界"),
        },
    }


def _has_areas_api() -> bool:
    try:
        reverse("area-geojson")
    except NoReverseMatch:
        return False
    return True


class CommandGeoJSONView(PermissionRequiredMixin, View):
    """GeoJSON of the events in scope (open ones unless a state filter says otherwise), in the
    viewport ``bbox`` at ``zoom``: clusters counted in SQL, or the events themselves."""

    permission = PERMISSION

    def get(self, request):
        now = timezone.now()
        try:
            view = Viewport.from_query(request.GET)
        except ValidationError as exc:
            return json_errors(exc)
        queryset = Event.objects.restrict(request.user)
        if not request.GET.getlist("state"):
            # ``IN`` the open states (not ``NOT IN`` the final ones): the form the partial
            # indexes on open cases are declared with, so the planner can use them.
            queryset = queryset.filter(open_q())
        filterset = EventFilterSet(request.GET or None, queryset=queryset)
        if filterset.is_bound and not filterset.is_valid():
            return json_errors(filterset.errors)
        queryset = view.narrow(filterset.qs)
        crs = _map_crs()
        clusters = None if view.detailed else _clusters(queryset, view, now)
        if clusters is not None and sum(c["n"] for c in clusters) > FEATURE_LIMIT:
            body = _cluster_collection(clusters, crs)
        else:
            body = _feature_collection(queryset, now, crs)
        body.update(crs=crs, updated=timezone.localtime(now).strftime("%H:%M:%S"))
        return JsonResponse(body)


class Viewport:
    """The map's ``bbox`` (west,south,east,north; WGS-84 unless ``bbox_crs=gcj02``) and
    ``zoom`` (Leaflet's, may be fractional). Without ``zoom`` the answer is the events
    themselves, as before clustering (capped at ``MAP_LIMIT``); without ``bbox`` the whole
    scope is the view."""

    def __init__(self, box, zoom):
        self.box = box  # (west, south, east, north) in WGS-84, or None
        self.zoom = zoom

    @classmethod
    def from_query(cls, query) -> "Viewport":
        """Read and check the parameters; ``ValidationError({field: [reason]})`` if bad."""
        crs = query.get("bbox_crs") or "wgs84"
        if crs not in BBOX_CRS:
            raise ValidationError({"bbox_crs": [_("坐标系应为 wgs84 或 gcj02。")]})
        box = _parse_bbox(query.get("bbox"), crs)
        return cls(box, _parse_zoom(query.get("zoom")))

    @property
    def detailed(self) -> bool:
        """Whether the events are drawn one by one whatever their number."""
        return self.zoom is None or self.zoom >= DETAIL_ZOOM

    @property
    def cell(self) -> float:
        """The side of a cluster's grid cell in degrees: ``CLUSTER_PX`` pixels at the zoom."""
        return 360.0 / (256 * 2 ** int(self.zoom)) * CLUSTER_PX

    def narrow(self, queryset):
        """``queryset`` within the box (a range on ``lng`` and ``lat``)."""
        if self.box is None:
            return queryset
        west, south, east, north = self.box
        return queryset.filter(lng__range=(west, east), lat__range=(south, north))


def _number(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def _parse_bbox(raw, crs):
    """``(west, south, east, north)`` in WGS-84, ``None`` when absent."""
    if raw is None or not raw.strip():
        return None
    try:
        west, south, east, north = (_number(p) for p in raw.replace("，", ",").split(","))
    except ValueError:
        raise ValidationError({"bbox": [_("应为“西,南,东,北”四个以逗号分隔的经纬度数字。")]}) \
            from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90
            and -90 <= north <= 90):
        raise ValidationError({"bbox": [_("经度须在 -180 到 180 之间,纬度须在 -90 到 90 之间。")]})
    if west > east or south > north:
        raise ValidationError({"bbox": [_("西边界不能大于东边界,南边界不能大于北边界。")]})
    if crs == "wgs84":
        return west, south, east, north
    # GCJ-02's offset is smooth and small: the corners' images bound the box, widened a
    # little for the curvature between them (the scope and the filters still decide).
    lngs, lats = to_wgs84(np.array([west, east, west, east]), np.array([south, south, north,
                                                                       north]), crs)
    pad = 0.0005
    return (float(lngs.min()) - pad, float(lats.min()) - pad, float(lngs.max()) + pad,
            float(lats.max()) + pad)


def _parse_zoom(raw):
    """The zoom as a number from 0 to ``MAX_ZOOM``, ``None`` when absent."""
    if raw is None or not raw.strip():
        return None
    try:
        zoom = _number(raw)
    except ValueError:
        raise ValidationError({"zoom": [_("缩放级别须为数字。")]}) from None
    if not 0 <= zoom <= MAX_ZOOM:
        raise ValidationError({"zoom": [_("缩放级别须在 0 到 %(n)d 之间。") % {"n": MAX_ZOOM}]})
    return zoom


def _clusters(queryset, view, now) -> list[dict]:
    """The events grouped by grid cell of the zoom's size, in one query: per cell the count,
    the centroid, the extent and how many are overdue or due soon."""
    size = view.cell
    overdue, due_soon = deadlines.overdue_q(now), deadlines.due_soon_q(now)
    return list(
        queryset.order_by()
        .annotate(cx=Floor(F("lng") / Value(size)), cy=Floor(F("lat") / Value(size)))
        .values("cx", "cy")
        .annotate(n=Count("id"), mid_lng=Avg("lng"), mid_lat=Avg("lat"), west=Min("lng"),
                  east=Max("lng"), south=Min("lat"), north=Max("lat"),
                  overdue=Count("id", filter=overdue),
                  due_soon=Count("id", filter=due_soon))
        .order_by("cx", "cy")
    )


def _cluster_collection(clusters, crs) -> dict:
    """Clusters as point features (``cluster: true``) in the map's datum."""
    lng, lat = _converted([c["mid_lng"] for c in clusters], [c["mid_lat"] for c in clusters],
                          crs)
    west, south = _converted([c["west"] for c in clusters], [c["south"] for c in clusters], crs)
    east, north = _converted([c["east"] for c in clusters], [c["north"] for c in clusters], crs)
    features = []
    for i, c in enumerate(clusters):
        features.append({
            "type": "Feature",
            "id": f"cell:{int(c['cx'])}:{int(c['cy'])}",
            "geometry": {"type": "Point", "coordinates": [round(lng[i], 6), round(lat[i], 6)]},
            "properties": {
                "cluster": True, "count": c["n"], "overdue": c["overdue"],
                "due_soon": c["due_soon"],
                "bounds": [round(west[i], 6), round(south[i], 6), round(east[i], 6),
                           round(north[i], 6)],
                "color": (OVERDUE_COLOR if c["overdue"] else DUE_SOON_COLOR if c["due_soon"]
                          else CLUSTER_COLOR),
            },
        })
    return {"type": "FeatureCollection", "mode": "clusters", "features": features,
            "total": sum(c["n"] for c in clusters), "truncated": False}


def _converted(lngs, lats, crs) -> tuple[list, list]:
    """WGS-84 coordinates in the map's datum, converted as arrays (one call per list)."""
    if not lngs:
        return [], []
    lng, lat = from_wgs84(np.array(lngs, dtype=float), np.array(lats, dtype=float), crs)
    return np.atleast_1d(lng).tolist(), np.atleast_1d(lat).tolist()


FEATURE_FIELDS = ("id", "number", "state", "lng", "lat", "supervised", "urgency",
                  "category__name", "address", "deadline_status_value")


def _feature_collection(queryset, now, crs) -> dict:
    """The events themselves (at most ``MAP_LIMIT``, the earliest due first), read as
    ``values()`` rows: no model instances for up to 2,000 markers."""
    rows = list(queryset.with_deadline_status(now).order_by("stage_deadline", "-created_at")
                .values(*FEATURE_FIELDS)[: MAP_LIMIT + 1])
    truncated = len(rows) > MAP_LIMIT
    rows = rows[:MAP_LIMIT]
    lng, lat = _converted([r["lng"] for r in rows], [r["lat"] for r in rows], crs)
    url = _detail_url_pattern()
    features = [_feature(row, lng[i], lat[i], url) for i, row in enumerate(rows)]
    return {"type": "FeatureCollection", "mode": "features", "features": features,
            "total": len(features), "truncated": truncated}


def _detail_url_pattern() -> str | None:
    """The case file's URL with ``0`` for the id (reversed once, not once per marker)."""
    try:
        return reverse("events:detail", kwargs={"pk": 0})
    except NoReverseMatch:
        return None


def _feature(row, lng, lat, url) -> dict:
    """One event as a GeoJSON point feature with what its marker and popup show."""
    status = row["deadline_status_value"]
    return {
        "type": "Feature",
        "id": row["id"],
        "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
        "properties": {
            "number": row["number"],
            "state": row["state"],
            "state_label": str(STATE_LABELS.get(row["state"], row["state"])),
            "category": row["category__name"] or "",
            "address": row["address"],
            "deadline": status,
            "overdue": status == DeadlineStatus.OVERDUE,
            "due_soon": status == DeadlineStatus.DUE_SOON,
            "supervised": row["supervised"],
            "urgent": row["urgency"] == Urgency.URGENT,
            "color": color(row["state"], status),
            "url": url.replace("/0/", f"/{row['id']}/", 1) if url else None,
        },
    }


urlpatterns = [
    path("command/map/", CommandMapView.as_view(), name="command_map"),
    path("command/map/events.geojson", CommandGeoJSONView.as_view(), name="command_geojson"),
]
