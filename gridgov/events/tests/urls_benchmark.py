"""The URL configuration of benchmarks/intake.py: the production one plus the floor endpoint.

Never the production ``ROOT_URLCONF``: the benchmark's server runs with
``DJANGO_SETTINGS_MODULE=gridgov.events.tests.settings_benchmark``, and tests use
``override_settings(ROOT_URLCONF=...)``.
"""

import uuid

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.areas.models import Area
from gridgov.events.choices import Source
from gridgov.events.models import Event


class BenchmarkFloorView(APIView):
    """benchmarks/intake.py's floor: one bare event row per request, nothing else.

    The same server, API-key authentication and JSON parsing as the intake API, then one
    INSERT: no validation, grid lookup, deadline, audit or trace.
    """

    schema = None  # not part of the documented API
    # The check the intake API makes of a department's key, so the floor pays for it too.
    required_permission = "events.transfer"

    def post(self, request):
        body = request.data
        grid_code = str(body.get("grid", ""))
        event = Event.objects.create(
            number="B" + uuid.uuid4().hex[:19], source=Source.OPEN311,
            description=str(body.get("description", ""))[:2000],
            lng=float(body.get("lng", 0)), lat=float(body.get("lat", 0)),
            grid_id=_floor_grid(grid_code), area_code=grid_code,
        )
        return Response({"id": event.pk}, status=201)


_FLOOR_GRIDS: dict[str, int] = {}


def _floor_grid(code):
    """The grid's primary key (cached per process: the floor does one query, the INSERT)."""
    if code not in _FLOOR_GRIDS:
        queryset = Area.objects.filter(level="grid")
        if code:
            queryset = queryset.filter(code=code)
        _FLOOR_GRIDS[code] = queryset.values_list("pk", flat=True).first()
    return _FLOOR_GRIDS[code]


urlpatterns = [
    path("events/benchmark/floor/", BenchmarkFloorView.as_view(), name="benchmark_floor"),
    path("", include("gridgov.urls")),
]
