"""Field terminal: report an event (上报), camera first.

``/m/report/`` (``field:report``) is one server-rendered form, usable from a cached copy: the
classes a worker may name are in the page (``catalog_cache.reportable``), the map and the
outlines load from this server. The form is an outbox form (``static/field/js/outbox.js``):
it is stored on the device and posted to the intake API (``POST /api/v1/events/report/``,
``gridgov.events.api.intake``) when the network allows, so a report made in a stairwell
without signal is sent once, later. ``report.js`` fills the device's side: the photos, the
position (GPS fix, accuracy circle, the marker the worker may drag: ``position_corrected``),
when the problem was seen (``observed_at``), the recent classes (localStorage).

``/m/report/?sent=1`` (the outbox's done page) says the report is saved and lists the
worker's last reports from the server (and, by script, those still in the outbox).
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse

from gridgov.areas.models import Area
from gridgov.core.access import get_scope, require
from gridgov.events import catalog_cache
from gridgov.events.attachments import ACCEPT
from gridgov.events.choices import Source, Urgency
from gridgov.events.models import Event
from gridgov.field.auth import field_login_required

REPORT_PERMISSION = "events.report_patrol"
RECENT_LIMIT = 20


def _home_grid(user):
    """The area the worker reports from (the first where they may report: their grid),
    with its ancestors loaded for the address line; None for someone without one."""
    codes = get_scope(user).codes_for(REPORT_PERMISSION)
    if not codes:
        return None
    return Area.objects.select_related("parent", "parent__parent").filter(
        code=codes[0]).first()


def _address_of(area) -> str:
    """The address a report starts with: street, community and grid names."""
    names, node = [], area
    while node is not None and len(names) < 3:
        names.append(node.name)
        node = node.parent
    return " ".join(reversed(names))


def _detail_url(event) -> str:
    """The terminal's page of an event (``field:events-detail``), or the
    desktop case file when the terminal has none."""
    try:
        return reverse("field:events-detail", args=[event.number])
    except NoReverseMatch:
        return reverse("events:detail", args=[event.pk])


def _recent_reports(user) -> list:
    events = list(Event.objects.restrict(user).filter(reporter_user=user)
                  .select_related("category").order_by("-created_at", "-id")[:RECENT_LIMIT])
    for event in events:
        event.field_url = _detail_url(event)
    return events


@field_login_required
def report(request):
    """The report form; with ``?sent=1`` the confirmation and the worker's last reports."""
    require(request.user, REPORT_PERMISSION)
    grid = _home_grid(request.user)
    sent = request.GET.get("sent") == "1"
    context = {
        "categories": catalog_cache.reportable(),
        "urgencies": Urgency.choices,
        "source": Source.GRID_PATROL,
        "accept": ACCEPT,
        "grid": grid,
        "address": _address_of(grid) if grid else "",
        "frame": ([grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat]
                  if grid and grid.min_lng is not None else None),
        "tile_url": settings.GRIDGOV_TILE_URL,
        "tile_crs": settings.GRIDGOV_TILE_CRS,
        "tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
        "sent": sent,
        "recent": _recent_reports(request.user) if sent else [],
    }
    return render(request, "field/report.html", context)


urlpatterns = [
    path("", report, name="report"),
]
