"""Reading a layer upload: GeoJSON, or a zipped Shapefile (.shp + .shx + .dbf, .prj, .cpg).

Everything is checked before anything is written, and every problem is reported with the
number of the feature it concerns (1-based, in the file's order), so a department fixes its
file in one pass:

- size: the upload (``GRIDGOV_MAX_UPLOAD_BYTES``), the zip's unpacked size
  (``GRIDGOV_MAX_IMPORT_UNCOMPRESSED_BYTES``, read from the zip's directory before anything is
  inflated, like the Excel imports) and the number of features (``GRIDGOV_GIS_MAX_FEATURES``);
- coordinates: a Shapefile's .prj decides. A geographic CRS on WGS-84 or CGCS2000 is stored
  as it is (the two agree within centimetres); any other CRS pyproj knows (a Gauss-Krüger zone
  of CGCS2000, Web Mercator, UTM ...) is transformed to lon/lat; a CRS it cannot read is
  refused. Without a .prj (and for GeoJSON, which is lon/lat by definition) the uploader's
  declared system applies: WGS-84/CGCS2000, or GCJ-02 which is converted. A position outside
  ±180/±90 is refused: projected metres declared as degrees;
- geometry: parsed by shapely; empty, invalid (self-intersecting rings ...) or of a kind the
  layer does not hold is refused with the reason (``explain_validity``).

``read_upload(name, data, layer_kind, declared_crs)`` returns a ``ParsedUpload`` or raises
``ValidationError({"file": [messages]})``.
"""

import datetime as dt
import decimal
import io
import json
import math
import struct
import zipfile
from dataclasses import dataclass, field

import shapely
import shapely.geometry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.validation import explain_validity

from gridgov.areas.datum import gcj02_to_wgs84
from gridgov.core import uploads

from .choices import ACCEPTED_TYPES, GeometryType, SourceCrs

DEFAULT_MAX_FEATURES = 50_000
# How many problems one answer lists; the rest are counted.
MAX_ERRORS = 50


def max_features() -> int:
    return int(getattr(settings, "GRIDGOV_GIS_MAX_FEATURES", DEFAULT_MAX_FEATURES))


@dataclass
class ParsedFeature:
    number: int
    geometry: dict
    properties: dict
    bounds: tuple[float, float, float, float]


@dataclass
class ParsedUpload:
    features: list[ParsedFeature]
    # What the coordinates were read as (shown on the layer's page).
    source_crs: str
    errors: list[str] = field(default_factory=list)

    @property
    def bounds(self):
        if not self.features:
            return None
        xs0, ys0, xs1, ys1 = zip(*(f.bounds for f in self.features), strict=True)
        return min(xs0), min(ys0), max(xs1), max(ys1)


def _file_error(message) -> ValidationError:
    return ValidationError({"file": [str(message)]})


def _refuse(*messages):
    raise ValidationError({"file": [str(m) for m in messages]})


# --- coordinates -------------------------------------------------------------------------------


def _transform_coords(geometry, func):
    """Apply ``func(xs, ys) -> (xs, ys)`` to every position of a shapely geometry."""
    return shapely.transform(geometry, lambda xy: _pairs(func, xy))


def _pairs(func, xy):
    import numpy as np

    xs, ys = func(xy[:, 0], xy[:, 1])
    return np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])


def _prj_transform(prj_text: str):
    """(label, transform or None) for a Shapefile's .prj: None when the CRS is lon/lat on
    WGS-84 or CGCS2000, else a function to WGS-84 lon/lat; ``ValidationError`` for a CRS that
    cannot be read or converted."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError, ProjError

    try:
        crs = CRS.from_wkt(prj_text)
    except CRSError:
        _refuse(_("无法识别 .prj 文件中的坐标系,请导出为 WGS-84 或 CGCS2000 经纬度后再上传。"))
    label = crs.name
    if crs.is_geographic and _lonlat_datum(crs):
        return label, None
    try:
        transformer = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
    except (CRSError, ProjError):
        transformer = None
    if transformer is None or not (crs.is_projected or crs.is_geographic):
        _refuse(_("不支持 .prj 中的坐标系“%(name)s”:无法换算为经纬度。请导出为 WGS-84 或 "
                  "CGCS2000 经纬度后再上传。") % {"name": label})

    def transform(xs, ys):
        return transformer.transform(xs, ys)

    return label, transform


def _lonlat_datum(crs) -> bool:
    """Whether a geographic CRS is on WGS-84 or CGCS2000 (stored without conversion)."""
    epsg = crs.to_epsg(min_confidence=70)
    if epsg in (4326, 4490):
        return True
    datum = (crs.datum.name if crs.datum else "").lower()
    return any(word in datum for word in ("wgs 1984", "wgs_1984", "world geodetic system 1984",
                                          "china 2000", "china_2000", "cgcs2000"))


def _declared_transform(declared: str):
    if declared == SourceCrs.GCJ02:
        return "GCJ-02", gcj02_to_wgs84
    return "WGS-84 / CGCS2000", None


# --- checking each feature ---------------------------------------------------------------------


def _feature_problem(number: int, reason: str) -> str:
    return _("第 %(n)d 个要素:%(reason)s") % {"n": number, "reason": reason}


def _check_geometry(number, geometry, kind, transform):
    """The feature's geometry as (GeoJSON dict, bounds) in WGS-84 lon/lat, or a problem."""
    if geometry is None:
        return None, _feature_problem(number, _("缺少几何。"))
    try:
        shape = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError,
            shapely.errors.ShapelyError):
        return None, _feature_problem(number, _("几何无法解析。"))
    if shape.is_empty:
        return None, _feature_problem(number, _("几何为空。"))
    if shape.geom_type not in ACCEPTED_TYPES[kind]:
        return None, _feature_problem(number, _(
            "几何类型 %(type)s 与图层的几何类型“%(kind)s”不符。") % {
                "type": shape.geom_type, "kind": GeometryType(kind).label})
    if transform is not None:
        shape = _transform_coords(shape, transform)
    minx, miny, maxx, maxy = shape.bounds
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return None, _feature_problem(number, _("坐标不是有效数字。"))
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        return None, _feature_problem(number, _(
            "坐标超出经纬度范围(%(x).1f, %(y).1f),可能是投影坐标:请在压缩包中附上 .prj "
            "文件,或导出为经纬度。") % {"x": maxx if maxx > 180 else minx,
                                     "y": maxy if maxy > 90 else miny})
    if not shape.is_valid:
        return None, _feature_problem(number, _("几何无效(%(why)s)。") % {
            "why": explain_validity(shape)})
    return shapely.geometry.mapping(shape), (minx, miny, maxx, maxy)


def _json_value(value):
    """A property value as JSON: dates as ISO text, decimals as numbers, bytes as text."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def _collect(items, kind, transform, label) -> ParsedUpload:
    """Check ``items`` ((geometry, properties) pairs) into a ``ParsedUpload``."""
    limit = max_features()
    features, errors, more = [], [], 0
    for number, (geometry, properties) in enumerate(items, start=1):
        if number > limit:
            _refuse(_("要素超过 %(n)d 个的上限,请拆分为多个图层。") % {"n": limit})
        mapped, result = _check_geometry(number, geometry, kind, transform)
        if mapped is None:
            if len(errors) < MAX_ERRORS:
                errors.append(result)
            else:
                more += 1
            continue
        if properties is not None and not isinstance(properties, dict):
            errors.append(_feature_problem(number, _("properties 应为对象。")))
            continue
        features.append(ParsedFeature(number, mapped, _json_value(properties or {}), result))
    if more:
        errors.append(_("另有 %(n)d 个要素有问题未列出。") % {"n": more})
    if errors:
        raise ValidationError({"file": errors})
    if not features:
        _refuse(_("文件中没有要素。"))
    return ParsedUpload(features, label)


# --- GeoJSON ----------------------------------------------------------------------------------


def _geojson_items(document):
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            _refuse(_("FeatureCollection 缺少 features 数组。"))
        for feature in features:
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                yield None, None
            else:
                yield feature.get("geometry"), feature.get("properties")
    elif kind == "Feature":
        yield document.get("geometry"), document.get("properties")
    elif kind in ACCEPTED_TYPES[GeometryType.MIXED]:
        yield document, {}
    else:
        _refuse(_("不是 GeoJSON:应为 FeatureCollection、Feature 或几何对象。"))


def _geojson_crs(document, declared):
    """GeoJSON is lon/lat WGS-84 (RFC 7946); an old-style ``crs`` member naming another system
    is refused rather than misread."""
    crs = document.get("crs") if isinstance(document, dict) else None
    name = ""
    if isinstance(crs, dict):
        name = str((crs.get("properties") or {}).get("name", ""))
    if name and not any(tag in name for tag in ("CRS84", "4326", "4490")):
        _refuse(_("GeoJSON 声明的坐标系 %(name)s 不受支持:GeoJSON 应为 WGS-84 / CGCS2000 "
                  "经纬度。") % {"name": name})
    return _declared_transform(declared)


def read_geojson(data: bytes, kind: str, declared: str) -> ParsedUpload:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        _refuse(_("文件不是有效的 GeoJSON(UTF-8 编码的 JSON)。"))
    label, transform = _geojson_crs(document, declared)
    return _collect(_geojson_items(document), kind, transform, label)


# --- zipped Shapefile -------------------------------------------------------------------------


def _members(archive) -> dict:
    """The zip's Shapefile members by extension (.shp, .shx, .dbf, .prj, .cpg); exactly one
    .shp, and the .shx and .dbf of that same name."""
    names = [n for n in archive.namelist()
             if not n.endswith("/") and "__MACOSX" not in n and not n.rsplit("/", 1)[-1]
             .startswith(".")]
    shps = [n for n in names if n.lower().endswith(".shp")]
    if not shps:
        _refuse(_("压缩包中没有 .shp 文件。"))
    if len(shps) > 1:
        _refuse(_("压缩包中有多个 .shp 文件,一个图层请只上传一个 Shapefile。"))
    stem = shps[0][:-4]
    found = {}
    for name in names:
        if name[:-4].lower() == stem.lower():
            found[name[-4:].lower()] = name
    for ext in (".shx", ".dbf"):
        if ext not in found:
            _refuse(_("压缩包中缺少 %(ext)s 文件(Shapefile 需要 .shp、.shx 和 .dbf)。")
                    % {"ext": ext})
    return found


def _dbf_encoding(archive, members) -> str:
    if ".cpg" in members:
        text = archive.read(members[".cpg"]).decode("ascii", "ignore").strip().lower()
        if text:
            return {"utf8": "utf-8", "936": "gbk", "cp936": "gbk", "gb2312": "gbk"}.get(
                text.replace("-", ""), text)
    return ""


def _shape_items(reader):
    for record in reader.iterShapeRecords():
        shape = record.shape
        geometry = shape.__geo_interface__ if shape.shapeType != 0 else None
        yield geometry, record.record.as_dict()


def read_shapefile_zip(data: bytes, kind: str, declared: str) -> ParsedUpload:
    import shapefile  # pyshp

    uploads.check_zip(data, _file_error, unreadable=_("无法读取压缩包(应为 .zip)。"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = _members(archive)
        if ".prj" in members:
            label, transform = _prj_transform(
                archive.read(members[".prj"]).decode("utf-8", "replace"))
        else:
            label, transform = _declared_transform(declared)
        files = {ext[1:]: io.BytesIO(archive.read(members[ext]))
                 for ext in (".shp", ".shx", ".dbf")}
        encoding = _dbf_encoding(archive, members)
    # Shapefiles made in China are often GBK without a .cpg: UTF-8 first, then GBK.
    for candidate in ([encoding] if encoding else ["utf-8", "gbk"]):
        try:
            for f in files.values():
                f.seek(0)
            reader = shapefile.Reader(**files, encoding=candidate)
            return _collect(list(_shape_items(reader)), kind, transform, label)
        except UnicodeDecodeError:
            continue
        except (shapefile.ShapefileException, struct.error, LookupError) as exc:
            # pyshp reports text it cannot decode as its own error: try the next encoding.
            if "decode" in str(exc).lower():
                continue
            _refuse(_("Shapefile 文件已损坏,无法读取。"))
    _refuse(_("无法识别 .dbf 属性表的字符编码,请附上 .cpg 文件(如 UTF-8 或 GBK)。"))


def read_upload(name: str, data: bytes, kind: str, declared: str = SourceCrs.WGS84
                ) -> ParsedUpload:
    """Read an upload by its name: ``.zip`` (Shapefile) or ``.geojson`` / ``.json``."""
    uploads.check_size(len(data), _file_error)
    lower = (name or "").lower()
    if lower.endswith(".zip"):
        return read_shapefile_zip(data, kind, declared)
    if lower.endswith((".geojson", ".json")):
        return read_geojson(data, kind, declared)
    _refuse(_("只接受 GeoJSON(.geojson、.json)或压缩的 Shapefile(.zip)。"))
