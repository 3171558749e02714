"""Area pages: the list (same filters as the API), an area's page, the attribute editor, and
the public outline map data of the intake forms.

Every page reads through ``restrict()`` (``ScopedListView`` / ``ScopedDetailView``), so an area
outside the user's scope answers 404 like a missing code and never appears in a list. The one
exception is ``PublicOutlinesView``: the outlines and names of the district, its streets,
communities and grids are public administrative geography (the same reasoning as the API's
point lookup), and a resident with no account needs them to pick where a problem is.
"""

import gzip
import json
import threading

import shapely
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import UpdateView
from shapely.geometry import shape

from gridgov.core.api import json_errors
from gridgov.core.querysets import CHANGE
from gridgov.core.views import (
    PermissionRequiredMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedQuerysetMixin,
)

from . import actions, datum
from . import geometry as geometry_rules
from .api.serializers import CrsQuerySerializer, area_staff
from .api.views import GeoJSONRenderer
from .choices import Level
from .filtersets import AreaFilterSet
from .forms import AreaAttributesForm
from .models import Area, AreaRevision


class AreaListView(PermissionRequiredMixin, ScopedListView):
    """区域列表: the areas in scope, filtered with ``AreaFilterSet``, 50 to a page."""

    permission = "areas.view"
    model = Area
    template_name = "areas/area_list.html"
    context_object_name = "areas"

    def get_queryset(self):
        queryset = (
            super().get_queryset().select_related("parent").defer("geometry", "parent__geometry")
        )
        self.filterset = AreaFilterSet(self.request.GET or None, queryset=queryset,
                                       request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["filtered"] = any(v for k, v in self.request.GET.items() if k != "page")
        return context


class AreaDetailView(PermissionRequiredMixin, ScopedDetailView):
    """区域详情: attributes, place in the hierarchy, the children in scope, staff, a map."""

    permission = "areas.view"
    model = Area
    template_name = "areas/area_detail.html"
    context_object_name = "area"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self):
        return super().get_queryset().select_related("parent").defer("parent__geometry")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = self.object
        user = self.request.user
        codes = [area.code[:n] for n in (6, 9, 12) if n < len(area.code)]
        context["ancestors"] = (
            Area.objects.filter(code__in=codes).defer("geometry").order_by("code")
        )
        context["children"] = (
            Area.objects.restrict(user).filter(parent=area).defer("geometry").order_by("code")
        )
        context["staff"] = area_staff(area)
        context["can_edit"] = Area.objects.restrict(user, CHANGE).filter(pk=area.pk).exists()
        # The polygon is drawn in the datum of the configured tiles (GCJ-02 for AutoNavi).
        geometry = area.geometry
        if settings.GRIDGOV_TILE_CRS == "gcj02":
            geometry = datum.geometry_wgs84_to_gcj02(geometry)
        context["map_feature"] = {
            "type": "Feature",
            "id": area.code,
            "geometry": geometry,
            "properties": {"code": area.code, "name": area.name},
        }
        return context


class AreaEditView(ScopedQuerysetMixin, UpdateView):
    """修改区域属性: holders of "areas.manage" only (others get 404, as for any area they may
    not change: ``restrict(user, "change")``); the change goes through
    ``areas.actions.update_area`` and is audited."""

    model = Area
    scope_action = CHANGE
    form_class = AreaAttributesForm
    template_name = "areas/area_form.html"
    context_object_name = "area"
    slug_field = "code"
    slug_url_kwarg = "code"

    def form_valid(self, form):
        changes = form.changes()
        if changes:
            # The form has already written its values onto self.object; the action needs the
            # stored row so the audit record's "before" is the truth.
            stored = Area.objects.get(pk=self.object.pk)
            try:
                actions.update_area(stored, actor=self.request.user, **changes)
            except ValidationError as exc:
                by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, errors in by_field.items():
                    form.add_error(field if field in form.fields else None, errors)
                return self.form_invalid(form)
            messages.success(self.request, _("区域信息已保存。"))
        else:
            messages.info(self.request, _("没有修改。"))
        return redirect("areas:detail", code=self.object.code)


# --- public outlines (the intake forms' point picker) ----------------------------------------

# Simplification tolerance in degrees (about 5 m): far below what a resident can click on a
# phone, and it halves the demo district's payload. Each polygon is simplified on its own, so
# shared edges may part by up to this much; the server's lookup stays the authority.
OUTLINE_TOLERANCE = 0.00005
# Five decimals of a degree are about 1 m.
OUTLINE_DECIMALS = 5
# Bumped whenever the body's format changes, so browsers do not keep an old one.
OUTLINE_FORMAT = "1"
# Browsers reuse their copy this long without asking; after that the ETag makes the check a
# 304. An area change reaches a resident's map at most this late (the server decides anyway).
OUTLINE_MAX_AGE = 3600
# Grids have no label: the picker names the grid of a clicked point instead.
LABELLED_LEVELS = {Level.STREET, Level.COMMUNITY}
LEVEL_ORDER = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2, Level.GRID: 3}

_outlines_lock = threading.Lock()
_outlines_cache: dict = {}


def invalidate_outlines() -> None:
    """Forget the built outline bodies (tests whose rolled-back writes reuse a revision)."""
    with _outlines_lock:
        _outlines_cache.clear()


def _outline_key(crs: str) -> tuple:
    """(revision, day, datum): what the body depends on. Areas start and end on dates too."""
    crs = "gcj02" if crs == "gcj02" else "wgs84"  # CGCS2000 positions are WGS-84 ones
    return (AreaRevision.current(), timezone.localdate().isoformat(), crs)


def _outline_etag(key) -> str:
    revision, day, crs = key
    # Weak: the gzip and the plain body are the same representation.
    return f'W/"outlines-{OUTLINE_FORMAT}-r{revision}-{day}-{crs}"'


def _rounded(node):
    if node and isinstance(node[0], int | float):
        return [round(node[0], OUTLINE_DECIMALS), round(node[1], OUTLINE_DECIMALS)]
    return [_rounded(child) for child in node]


def _outline_feature(code, name, level, stored, crs) -> dict:
    polygon = shape(stored)
    if shapely.has_z(polygon):
        polygon = shapely.force_2d(polygon)
    simple = polygon.simplify(OUTLINE_TOLERANCE, preserve_topology=True)
    if simple.is_empty:  # a sliver smaller than the tolerance keeps its stored outline
        simple = polygon
    geometry = geometry_rules.to_geojson(simple)
    properties = {"code": code, "name": name, "level": level}
    if level in LABELLED_LEVELS:
        # Inside the polygon even when it is concave (its bounding box centre may not be).
        point = polygon.representative_point()
        properties["label"] = [point.x, point.y]
    if crs == "gcj02":
        geometry = datum.geometry_wgs84_to_gcj02(geometry)
        if "label" in properties:
            properties["label"] = list(datum.wgs84_to_gcj02(*properties["label"]))
    geometry["coordinates"] = _rounded(geometry["coordinates"])
    if "label" in properties:
        properties["label"] = _rounded(properties["label"])
    # No top-level "id": it would repeat the code, about 40 KB over the demo district.
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def build_outlines(crs: str = "wgs84") -> bytes:
    """The current areas' simplified outlines as GeoJSON text: codes, names, levels and label
    points only, district first and grids last (the order they are drawn in)."""
    rows = sorted(
        Area.objects.current().values_list("code", "name", "level", "geometry"),
        key=lambda row: (LEVEL_ORDER.get(row[2], 9), row[0]),
    )
    body = {
        "type": "FeatureCollection",
        "crs": crs,
        "features": [_outline_feature(*row, crs) for row in rows],
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _outline_bodies(key) -> tuple[bytes, bytes]:
    """(plain, gzip) bodies for ``key``, built once per process per revision, day and datum."""
    with _outlines_lock:
        cached = _outlines_cache.get(key)
        if cached is None:
            plain = build_outlines(crs=key[2])
            cached = (plain, gzip.compress(plain, compresslevel=6, mtime=0))
            # Older revisions and days are never asked for again.
            for old in [k for k in _outlines_cache if k[:2] != key[:2]]:
                del _outlines_cache[old]
            _outlines_cache[key] = cached
    return cached


def _accepts_gzip(request) -> bool:
    encodings = request.headers.get("Accept-Encoding", "")
    return any(part.split(";")[0].strip() == "gzip" for part in encodings.split(","))


class PublicOutlinesView(View):
    """辖区边界 (public, no sign-in): the district, streets, communities and grids as
    simplified GeoJSON with names only, for the intake forms' point picker.

    ``?crs=gcj02`` answers in GCJ-02 for a GCJ-02 tile server (stored data stays WGS-84).
    Built once per process per ``AreaRevision``; answered with an ETag and
    ``Cache-Control: public`` so a browser fetches it once, and gzip when the client takes it
    (about an eighth of the size: 74 KB for the demo district instead of 550 KB).
    """

    http_method_names = ["get", "head", "options"]

    def get(self, request):
        query = CrsQuerySerializer(data=request.GET)
        if not query.is_valid():
            return json_errors({"crs": query.errors["crs"][:1]})
        key = _outline_key(query.validated_data["crs"])
        etag = _outline_etag(key)
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return self._cacheable(not_modified, etag)
        plain, packed = _outline_bodies(key)
        zipped = _accepts_gzip(request)
        response = HttpResponse(
            packed if zipped else plain,
            content_type=f"{GeoJSONRenderer.media_type}; charset=utf-8",
        )
        if zipped:
            response["Content-Encoding"] = "gzip"
        return self._cacheable(response, etag)

    @staticmethod
    def _cacheable(response, etag):
        response["ETag"] = etag
        patch_vary_headers(response, ["Accept-Encoding"])
        patch_cache_control(response, public=True, max_age=OUTLINE_MAX_AGE)
        return response
