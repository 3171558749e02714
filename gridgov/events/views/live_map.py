"""The live map of the command room (实时地图, ``events.command_room``).

- ``/events/command/map/``: the page: the map at full height beside a collapsible panel with
  the filters (state, major class, supervision, deadline), the legend and the count; markers
  cluster, grid outlines and names show when zoomed in (from the scoped areas GeoJSON API),
  a marker's popup links to the case file. The page fetches the events again every
  ``REFRESH_SECONDS`` and updates the markers in place (``events/live_map.js``);
- ``/events/command/map/events.geojson``: the events in scope (open ones unless a state
  filter says otherwise), coloured by state, due soon in amber and overdue in red. The mark
  is the database's (``with_deadline_status``), the rule the queue counts use. ``updated``
  is the local time of the answer, shown as "更新于 HH:MM:SS".
"""

from django.conf import settings
from django.http import JsonResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridgov.areas.datum import from_wgs84
from gridgov.core.api import json_errors
from gridgov.core.views import PermissionRequiredMixin
from gridgov.web.basemap import basemap_config

from ..choices import FINAL_STATES, DeadlineStatus, State, Urgency
from ..filtersets import EventFilterSet
from ..models import Event, MajorCategory
from .lists import detail_url

MAP_LIMIT = 2000
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
    """GeoJSON of the events in scope (open ones unless a state filter says otherwise)."""

    permission = PERMISSION

    def get(self, request):
        now = timezone.now()
        queryset = Event.objects.restrict(request.user)
        if not request.GET.getlist("state"):
            queryset = queryset.exclude(state__in=sorted(FINAL_STATES))
        filterset = EventFilterSet(request.GET or None, queryset=queryset)
        if filterset.is_bound and not filterset.is_valid():
            return json_errors(filterset.errors)
        events = list(
            filterset.qs.select_related("category").only(
                "id", "number", "state", "lng", "lat", "stage_deadline", "stage_started_at",
                "supervised", "urgency", "category__name", "address", "version",
            ).with_deadline_status(now).order_by("stage_deadline", "-created_at")[: MAP_LIMIT + 1]
        )
        truncated = len(events) > MAP_LIMIT
        crs = _map_crs()
        features = [_feature(event, crs) for event in events[:MAP_LIMIT]]
        return JsonResponse({"type": "FeatureCollection", "features": features,
                             "truncated": truncated, "crs": crs,
                             "updated": timezone.localtime(now).strftime("%H:%M:%S")})


def _feature(event, crs) -> dict:
    lng, lat = from_wgs84(event.lng, event.lat, crs)
    status = event.deadline_status_value
    return {
        "type": "Feature",
        "id": event.pk,
        "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
        "properties": {
            "number": event.number,
            "state": event.state,
            "state_label": str(event.get_state_display()),
            "category": event.category.name if event.category_id else "",
            "address": event.address,
            "deadline": status,
            "overdue": status == DeadlineStatus.OVERDUE,
            "due_soon": status == DeadlineStatus.DUE_SOON,
            "supervised": event.supervised,
            "urgent": event.urgency == Urgency.URGENT,
            "color": color(event.state, status),
            "url": detail_url(event),
        },
    }


urlpatterns = [
    path("command/map/", CommandMapView.as_view(), name="command_map"),
    path("command/map/events.geojson", CommandGeoJSONView.as_view(), name="command_geojson"),
]
