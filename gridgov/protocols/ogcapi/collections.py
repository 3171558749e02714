"""The collections the OGC API serves, and what each caller may read of them.

A ``Source`` answers, for one collection: whether the caller may see it at all
(``available``), which rows (``rows``), how a bbox and a datetime narrow them, and how a row
becomes a GeoJSON feature (``feature``). Every feature's id is the row's primary key, so the
items are paged by keyset (``id > last``), never by OFFSET.

Who sees what (the caller is anonymous, a signed-in user or a department API key):

- ``district``, ``streets``, ``communities``, ``grids``: outlines, names and codes are public
  (the base map draws them for everyone); the households count only where
  ``Area.objects.restrict`` reaches;
- ``buildings``, ``houses``, ``components``: ``restrict(caller, "view")``; never anonymous.
  Houses carry no personal data: no owner, no tenants, no rental status;
- ``organisations``: government bodies and public institutions (机关, 事业单位: their name
  and address are public by law) for everyone, plus what ``restrict`` reaches; never the
  legal representative;
- ``cameras``, ``events``, and the departments' ``layer-<code>``: see ``platform`` and
  ``LayerSource``.

A collection the caller may not see answers 404, exactly like one that does not exist.
"""

import json
from abc import ABC, abstractmethod

from django.db.models import BooleanField, Case, Max, Min, Q, TextField, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core.access.scope import get_scope
from gridgov.gis.models import Layer, LayerFeature

from . import crs as crs_mod

DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def point(lng, lat) -> str:
    return f'{{"type":"Point","coordinates":[{float(lng)!r},{float(lat)!r}]}}'


def feature_json(fid, geometry_text: str, properties: dict, crs: str) -> str:
    """One GeoJSON feature as text; the geometry (CRS84 text) is spliced in unparsed unless
    the CRS orders latitude first."""
    if crs_mod.lat_first(crs):
        geometry_text = DUMPS(crs_mod.swap_geometry(json.loads(geometry_text)))
    return (f'{{"type":"Feature","id":{DUMPS(fid)},"geometry":{geometry_text},'
            f'"properties":{DUMPS(properties)}}}')


def district_extent() -> list[float] | None:
    """The district's bounding box: the extent of every platform collection."""
    row = (Area.objects.filter(level=Level.DISTRICT)
           .aggregate(a=Min("min_lng"), b=Min("min_lat"), c=Max("max_lng"), d=Max("max_lat")))
    if row["a"] is None:
        return None
    return [row["a"], row["b"], row["c"], row["d"]]


class Source(ABC):
    """One collection (see the module docstring); a subclass says which rows (``base``) and
    how one is written (``feature``)."""

    id = ""
    title = ""
    description = ""
    item_kind = ""
    overlay = False
    # Listed for anonymous callers.
    public = False
    # The column ``datetime`` filters on (the feature's time).
    temporal = "updated_at"
    # Point collections: the columns of the position.
    lng_field = "lng"
    lat_field = "lat"

    @abstractmethod
    def base(self, principal):
        """Every row the caller may read (``principal`` None: anonymous)."""

    def available(self, principal) -> bool:
        if principal is None or get_scope(principal) is None:
            return self.public
        return self.public or self.base(principal).exists()

    def bbox_q(self, box) -> Q:
        minx, miny, maxx, maxy = box
        return Q(**{f"{self.lng_field}__gte": minx, f"{self.lng_field}__lte": maxx,
                    f"{self.lat_field}__gte": miny, f"{self.lat_field}__lte": maxy})

    def rows(self, principal):
        return self.base(principal)

    def row_id(self, row):
        """The feature id of a fetched row (the keyset position)."""
        return row.pk

    @abstractmethod
    def feature(self, row, crs: str) -> str:
        """The row as one GeoJSON feature's text, in ``crs``."""

    def extent(self):
        return district_extent()

    def meta(self) -> dict:
        """Extra members of the collection's description."""
        return {"gridgov:overlay": True} if self.overlay else {}

    @property
    def title_text(self) -> str:
        return str(self.title)


def _scoped(principal) -> bool:
    return principal is not None and get_scope(principal) is not None


# --- areas ------------------------------------------------------------------------------------


class AreaSource(Source):
    """One level of the area hierarchy: polygons, public outlines (module docstring)."""

    public = True
    level = ""

    def __init__(self, id_, level, title, description):
        self.id, self.level, self.title, self.description = id_, level, title, description

    def base(self, principal):
        qs = Area.objects.current().filter(level=self.level).only(
            "id", "code", "name", "level", "kind", "parent__code", "geometry", "area_m2",
            "centroid_lng", "centroid_lat", "households", "updated_at").select_related("parent")
        if _scoped(principal):
            reach = Area.objects.restrict(principal).filter(level=self.level).values("pk")
            return qs.annotate(full_view=Case(When(pk__in=reach, then=Value(True)),
                                              default=Value(False),
                                              output_field=BooleanField()))
        return qs.annotate(full_view=Value(False, output_field=BooleanField()))

    def bbox_q(self, box) -> Q:
        minx, miny, maxx, maxy = box
        return Q(min_lng__lte=maxx, max_lng__gte=minx, min_lat__lte=maxy, max_lat__gte=miny)

    def feature(self, row, crs):
        properties = {
            "code": row.code, "name": row.name, "level": row.level,
            "level_label": str(row.get_level_display()), "kind_label":
            str(row.get_kind_display()), "parent_code": row.parent.code if row.parent else None,
            "area_m2": round(row.area_m2, 1),
            "centroid": [row.centroid_lng, row.centroid_lat],
        }
        if row.full_view:
            properties["households"] = row.households
        return feature_json(row.pk, DUMPS(row.geometry), properties, crs)


AREA_SOURCES = [
    AreaSource("district", Level.DISTRICT, gettext_lazy("区"), gettext_lazy("区的行政区域范围。")),
    AreaSource("streets", Level.STREET, gettext_lazy("街道(乡镇)"),
               gettext_lazy("街道、镇、乡的范围和名称。")),
    AreaSource("communities", Level.COMMUNITY, gettext_lazy("社区(村)"),
               gettext_lazy("社区、行政村的范围和名称。")),
    AreaSource("grids", Level.GRID, gettext_lazy("网格"),
               gettext_lazy("基础网格和专属网格的范围、编码和名称。")),
]


# --- department layers --------------------------------------------------------------------------

LAYER_PREFIX = "layer-"


def visible_layers(principal):
    """Layers the caller may read: those open to the public for anonymous callers, else what
    ``Layer.objects.restrict`` lets it see (which includes the public ones)."""
    if not _scoped(principal):
        return Layer.objects.public()
    return Layer.objects.restrict(principal)


class LayerSource(Source):
    """A department's layer ``layer-<code>``: its features with their own properties."""

    overlay = True

    def __init__(self, layer):
        self.layer = layer
        self.id = layer.collection_id
        self.title = layer.name
        self.description = layer.description
        self.public = layer.is_public and layer.is_published

    def available(self, principal) -> bool:
        return True  # found through visible_layers(), which already decided

    def base(self, principal):
        # Rows as (id, geometry text, properties text): both columns already hold JSON, so a
        # page is spliced together without decoding a single feature (paging speed at a
        # million features; benchmarks/ogcapi.py).
        return (LayerFeature.objects.filter(layer=self.layer)
                .annotate(properties_text=Cast("properties", TextField()))
                .values_list("id", "geometry", "properties_text"))

    def bbox_q(self, box) -> Q:
        minx, miny, maxx, maxy = box
        return Q(minx__lte=maxx, maxx__gte=minx, miny__lte=maxy, maxy__gte=miny)

    def row_id(self, row):
        return row[0]

    def feature(self, row, crs):
        pk, geometry, properties = row
        if crs_mod.lat_first(crs):
            geometry = DUMPS(crs_mod.swap_geometry(json.loads(geometry)))
        return (f'{{"type":"Feature","id":{pk},"geometry":{geometry},'
                f'"properties":{properties or "{}"}}}')

    def extent(self):
        return self.layer.bbox

    def meta(self) -> dict:
        layer = self.layer
        return {
            "gridgov:overlay": True,
            "gridgov:owner": layer.owner.name,
            "gridgov:geometryType": layer.geometry_type,
            "gridgov:sharingType": layer.sharing_type,
            "gridgov:version": layer.version,
            "gridgov:published": layer.is_published,
            "gridgov:updated": layer.updated_at.isoformat(),
        }
