"""Geometry rules for areas: parsing, metric area, containment, sibling overlap, coverage gaps.

Polygons are stored as GeoJSON in WGS-84 longitude-latitude. Overlays (difference,
intersection) run in degrees; every area in m² is measured after projecting to an Albers
equal-area projection fitted to China (standard parallels 25°N and 47°N, central meridian
105°E, GRS80), whose area distortion is nil by construction.

Tolerances: generated or surveyed polygons that share an edge never match to the last bit, so a
child may stick out of its parent by at most 1 m² (or one millionth of its own area, whichever
is larger) and two siblings may overlap by at most 1 m² (or one millionth of the smaller). Gaps
under 1 m² are not reported.
"""

import json
import re
import threading
from datetime import date

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pyproj import Transformer
from shapely.geometry import shape as _shape

ALBERS_CHINA = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +ellps=GRS80 +units=m +no_defs"

# Absolute and relative tolerances (see the module docstring).
TOLERANCE_M2 = 1.0
TOLERANCE_RELATIVE = 1e-6
# Gaps smaller than this are float noise along shared edges, not missing land.
GAP_MIN_M2 = 1.0
# From this many siblings on, candidates are found through an STRtree instead of a scan.
STRTREE_MIN_SIBLINGS = 16

ALLOWED_TYPES = ("Polygon", "MultiPolygon")

_local = threading.local()


def _transformer() -> Transformer:
    # pyproj transformers are not safe to share between threads; keep one per thread.
    t = getattr(_local, "albers", None)
    if t is None:
        t = Transformer.from_crs("EPSG:4326", ALBERS_CHINA, always_xy=True)
        _local.albers = t
    return t


def _project_coords(coords: np.ndarray) -> np.ndarray:
    x, y = _transformer().transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


# Edges longer than this (in degrees, about 100 m) are split before projecting: a straight
# lng/lat edge bends in the projection, so two neighbours that share an edge but not all its
# vertices would otherwise seem to leave a sliver of real area between them.
SEGMENT_DEGREES = 0.001


def project(shape):
    """The shape in metres (Albers equal-area for China), long edges densified first."""
    return shapely.transform(shapely.segmentize(shape, SEGMENT_DEGREES), _project_coords)


def area_m2(shape) -> float:
    """Area of a lng/lat shape in square metres (Albers equal-area for China)."""
    if shape is None or shape.is_empty:
        return 0.0
    return float(project(shape).area)


def tolerance_m2(*areas_m2: float) -> float:
    """The overlap allowed between shapes of these areas: 1 m² or 1e-6 of the smallest."""
    return max(TOLERANCE_M2, TOLERANCE_RELATIVE * min(areas_m2)) if areas_m2 else TOLERANCE_M2


# --- Parsing ----------------------------------------------------------------------------------

_REASONS = [
    (re.compile(r"^Ring Self-intersection", re.I), "边界环自相交"),
    (re.compile(r"^Self-intersection", re.I), "多边形自相交"),
    (re.compile(r"^Too few points", re.I), "顶点太少"),
    (re.compile(r"^Hole lies outside shell", re.I), "内洞位于外边界之外"),
    (re.compile(r"^Nested holes", re.I), "内洞相互嵌套"),
    (re.compile(r"^Interior is disconnected", re.I), "内部不连通"),
    (re.compile(r"^Nested shells", re.I), "多个外边界相互嵌套"),
    (re.compile(r"^Duplicate Rings", re.I), "边界环重复"),
    (re.compile(r"^Invalid Coordinate", re.I), "坐标无效"),
    (re.compile(r"^Ring is not closed", re.I), "边界环未闭合"),
]
_WHERE = re.compile(r"\[\s*([-0-9.eE+]+)\s+([-0-9.eE+]+)\s*\]")


def _invalid_reason(shape) -> str:
    raw = shapely.is_valid_reason(shape) or ""
    label = next((zh for pattern, zh in _REASONS if pattern.search(raw)), None) or raw
    where = _WHERE.search(raw)
    if where:
        try:
            lng, lat = float(where.group(1)), float(where.group(2))
            return _("%(reason)s(位置 %(lng).6f, %(lat).6f)") % {
                "reason": label, "lng": lng, "lat": lat,
            }
        except ValueError:
            pass
    return label


def shape_from_geojson(geom, field: str = "geometry"):
    """A valid shapely Polygon or MultiPolygon from a GeoJSON geometry (dict or JSON text).

    A GeoJSON Feature is accepted for its geometry. Raises ``ValidationError({field: reason})``
    for anything else: another type, broken coordinates, coordinates out of range, an invalid
    (self-intersecting ...) or empty polygon.
    """
    if isinstance(geom, str | bytes):
        try:
            geom = json.loads(geom)
        except ValueError:
            raise ValidationError({field: _("范围不是有效的 GeoJSON 文本。")}, code="invalid")
    if isinstance(geom, dict) and geom.get("type") == "Feature":
        geom = geom.get("geometry")
    if not isinstance(geom, dict) or "type" not in geom:
        raise ValidationError({field: _("范围必须是 GeoJSON 几何对象。")}, code="invalid")
    if geom["type"] not in ALLOWED_TYPES:
        raise ValidationError(
            {field: _("范围必须是面(Polygon 或 MultiPolygon),收到的是 %(type)s。")
             % {"type": geom["type"]}},
            code="invalid_type",
        )
    try:
        shape = _shape(geom)
    except Exception:  # shapely raises several types for malformed coordinate arrays
        raise ValidationError({field: _("范围的坐标格式错误。")}, code="invalid")
    if shape.is_empty:
        raise ValidationError({field: _("范围为空。")}, code="empty")
    if shapely.has_z(shape):
        shape = shapely.force_2d(shape)
    coords = shapely.get_coordinates(shape)
    if not np.all(np.isfinite(coords)):
        raise ValidationError({field: _("范围含有无效坐标。")}, code="invalid")
    lng, lat = coords[:, 0], coords[:, 1]
    if lng.min() < -180 or lng.max() > 180 or lat.min() < -90 or lat.max() > 90:
        raise ValidationError(
            {field: _("坐标超出范围:经度应在 -180 到 180 之间,纬度应在 -90 到 90 之间"
                      "(坐标顺序为经度, 纬度)。")},
            code="out_of_range",
        )
    if not shape.is_valid:
        raise ValidationError(
            {field: _("范围无效:%(reason)s。") % {"reason": _invalid_reason(shape)}},
            code="invalid_polygon",
        )
    if shape.area <= 0:
        raise ValidationError({field: _("范围面积为零。")}, code="empty")
    return shape


def to_geojson(shape) -> dict:
    """A GeoJSON geometry dict (lists, not tuples) for a shapely shape."""
    return json.loads(shapely.to_geojson(shape))


def area_shape(area):
    """The polygon of a stored area as a shapely shape (trusted: it was validated on write)."""
    shape = _shape(area.geometry)
    if shapely.has_z(shape):
        shape = shapely.force_2d(shape)
    return shape


# --- Invariants -------------------------------------------------------------------------------

def _validity_overlap_q(valid_from: date, valid_to: date | None) -> Q:
    """Rows whose validity [valid_from, valid_to) overlaps the given one."""
    q = Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from)
    if valid_to is not None:
        q &= Q(valid_from__lt=valid_to)
    return q


def _bbox_q(shape) -> Q:
    minx, miny, maxx, maxy = shape.bounds
    return Q(min_lng__isnull=True) | Q(
        min_lng__lte=maxx, max_lng__gte=minx, min_lat__lte=maxy, max_lat__gte=miny
    )


def sibling_queryset(level, parent, *, shape=None, exclude_pk=None, valid_from=None,
                     valid_to=None):
    """Areas under the same parent (same level) whose validity overlaps the given one."""
    from .models import Area

    valid_from = valid_from or timezone.localdate()
    qs = Area.objects.filter(level=level)
    qs = qs.filter(parent=parent) if parent is not None else qs.filter(parent__isnull=True)
    qs = qs.filter(_validity_overlap_q(valid_from, valid_to))
    if shape is not None:
        qs = qs.filter(_bbox_q(shape))
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("code")


def outside_m2(shape, parent_shape) -> float:
    """How many m² of ``shape`` lie outside ``parent_shape``."""
    return area_m2(shape.difference(parent_shape))


def outside_parent_error(shape, parent_shape, parent_label: str, own_m2: float | None = None):
    """The reason ``shape`` is not inside its parent, or None when it is (within tolerance)."""
    shapely.prepare(parent_shape)
    if parent_shape.contains(shape):
        return None
    own_m2 = area_m2(shape) if own_m2 is None else own_m2
    out = outside_m2(shape, parent_shape)
    if out <= max(TOLERANCE_M2, TOLERANCE_RELATIVE * own_m2):
        return None
    return _("超出上级区域 %(parent)s 约 %(area).1f 平方米,下级区域必须位于上级区域之内。") % {
        "parent": parent_label, "area": out,
    }


def overlap_errors(shape, siblings, own_m2: float | None = None) -> list[str]:
    """Reasons for every sibling that ``shape`` overlaps beyond tolerance.

    ``siblings`` is a sequence of (code, name, shape, area_m2 or None), in code order.
    """
    if not siblings:
        return []
    shapes = [s[2] for s in siblings]
    if len(siblings) >= STRTREE_MIN_SIBLINGS:
        candidates = sorted(shapely.STRtree(shapes).query(shape, predicate="intersects"))
    else:
        hits = shapely.intersects(np.array(shapes, dtype=object), shape)
        candidates = np.flatnonzero(hits).tolist()
    own_m2 = area_m2(shape) if own_m2 is None else own_m2
    errors = []
    for i in candidates:
        code, name, other, other_m2 = siblings[i]
        # Neighbours that share an edge intersect along a line: no area, no work.
        if shapely.relate_pattern(shape, other, "2********") is False:
            continue
        overlap = area_m2(shape.intersection(other))
        other_m2 = area_m2(other) if other_m2 is None else other_m2
        if overlap > tolerance_m2(own_m2, other_m2):
            errors.append(
                _("与同级区域 %(name)s(%(code)s)重叠约 %(area).1f 平方米,同级区域不得重叠。")
                % {"name": name, "code": code, "area": overlap}
            )
    return errors


def check_area(level, shape, parent, exclude_pk=None, *, valid_from=None, valid_to=None,
               field: str = "geometry") -> None:
    """Check an area's polygon against the stored hierarchy.

    The polygon must lie inside the parent's (within tolerance) and must not overlap any
    sibling (same parent and level, validity overlapping ``valid_from``..``valid_to``, today
    onwards when not given) beyond tolerance. ``exclude_pk`` is the area itself on update.
    Raises ``ValidationError({"geometry": [reasons]})`` naming the parent or each offending
    sibling and the area in m².
    """
    if isinstance(shape, dict | str):
        shape = shape_from_geojson(shape, field=field)
    own_m2 = area_m2(shape)
    errors = []
    if parent is not None:
        reason = outside_parent_error(shape, area_shape(parent), str(parent), own_m2)
        if reason:
            errors.append(reason)
    rows = sibling_queryset(
        level, parent, shape=shape, exclude_pk=exclude_pk, valid_from=valid_from,
        valid_to=valid_to,
    ).only("pk", "code", "name", "geometry", "area_m2", "updated_at")
    siblings = [(s.code, s.name, area_shape(s), s.area_m2) for s in rows]
    errors.extend(overlap_errors(shape, siblings, own_m2))
    if errors:
        raise ValidationError({field: errors})


def _current_children(parent_area, on=None):
    return list(
        parent_area.children.current(on).only(
            "pk", "code", "name", "geometry", "area_m2", "updated_at"
        ).order_by("code")
    )


def coverage_gaps(parent_area, on=None) -> list[dict]:
    """The parts of ``parent_area`` its current children leave uncovered, largest first.

    Each gap is a GeoJSON Polygon dict with an extra ``area_m2`` member; gaps under 1 m² (edge
    noise) are left out. An area without children has no gaps: nothing has been divided yet.
    """
    children = _current_children(parent_area, on)
    if not children:
        return []
    parent_shape = area_shape(parent_area)
    covered = shapely.union_all([area_shape(c) for c in children])
    rest = parent_shape.difference(covered)
    gaps = []
    for part in shapely.get_parts(rest):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        size = area_m2(part)
        if size > GAP_MIN_M2:
            gaps.append({**to_geojson(part), "area_m2": size})
    gaps.sort(key=lambda g: -g["area_m2"])
    return gaps


def child_overlaps(parent_area, on=None) -> list[dict]:
    """Pairs of current children of ``parent_area`` that overlap beyond tolerance.

    Each item: ``{"codes": (a, b), "area_m2": float, "geometry": GeoJSON}``, in code order.
    """
    children = _current_children(parent_area, on)
    if len(children) < 2:
        return []
    shapes = [area_shape(c) for c in children]
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    out = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        if shapely.relate_pattern(shapes[i], shapes[j], "2********") is False:
            continue
        inter = shapes[i].intersection(shapes[j])
        size = area_m2(inter)
        if size > tolerance_m2(children[i].area_m2, children[j].area_m2):
            out.append({
                "codes": (children[i].code, children[j].code),
                "area_m2": size,
                "geometry": to_geojson(inter),
            })
    out.sort(key=lambda o: o["codes"])
    return out


def bbox(shape) -> dict:
    """The bounding box columns of an Area for a shape."""
    minx, miny, maxx, maxy = shape.bounds
    return {"min_lng": minx, "min_lat": miny, "max_lng": maxx, "max_lat": maxy}


def centroid(shape) -> tuple[float, float]:
    """Centroid (lng, lat) of a shape; rounded to 1e-7° (about 1 cm)."""
    c = shape.centroid
    return round(c.x, 7), round(c.y, 7)


def geometry_digest(geojson: dict) -> str:
    """A stable SHA-256 of a GeoJSON geometry, for audit records (the polygon is too big)."""
    import hashlib

    text = json.dumps(geojson, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


__all__ = [
    "ALBERS_CHINA", "area_m2", "area_shape", "bbox", "centroid", "check_area",
    "child_overlaps", "coverage_gaps", "geometry_digest", "outside_parent_error",
    "overlap_errors", "project", "shape_from_geojson", "sibling_queryset", "to_geojson",
    "tolerance_m2",
]
