"""底图 (base maps): what every map of the platform draws beneath its own content.

``basemap_config(request_or_user)`` is the JSON-able configuration that
``GG.basemap(map, cfg)`` (``static/gridgov/js/basemap.js``) reads; every map's configuration
carries it under the key ``"basemap"``. Three sources, the first configured one wins:

1. ``GRIDGOV_TILE_URL``: any XYZ tile service (OpenStreetMap, AutoNavi, a department's own
   server), in the datum ``GRIDGOV_TILE_CRS`` says (AutoNavi and Tencent draw in GCJ-02).
   It wins over Tianditu because the maps' own data follow that setting's datum already.
2. ``GRIDGOV_TIANDITU_KEY``: 天地图 (Tianditu), the national service: the vector layer
   (``vec_w``) and its annotation (``cva_w``, the names) in web mercator, as one base. Its
   datum is CGCS2000, which differs from WGS-84 by centimetres: drawn as WGS-84.
3. Neither: the district's own base: the district outline, streets, communities and grids
   with their names at suitable zoom levels, from the public outlines
   (``areas:public-outlines``: names and simplified polygons only, cached by the browser),
   so a map says where it is even with no tile service and no Internet.

Overlays: the collections of the OGC API index (``/ogcapi/collections``) that carry
``"gridgov:overlay": true`` (cameras, department layers) are offered in a layers control; the
API applies the viewer's scope, so the configuration names no layer itself.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

# Tianditu's WMTS tiles in web mercator ("_w" sets), one host per subdomain t0–t7. The key
# (tk) is a browser key bound to the site's domain at Tianditu: it is meant to be seen.
TIANDITU_LAYERS = ("vec", "cva")  # vector map, then its Chinese annotation on top
TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
)
TIANDITU_SUBDOMAINS = "01234567"
TIANDITU_MAX_ZOOM = 18
TIANDITU_ORIGIN = "https://*.tianditu.gov.cn"

# Zoom levels from which the own base names each level (Leaflet zoom; 13 ≈ a street across
# a laptop screen, 15 ≈ a community). Streets are named whenever the district is in view.
LABEL_ZOOM = {"district": 0, "street": 0, "community": 13, "grid": 15}
# Grid outlines are drawn from this zoom on (about 1,500 of them: a district-wide view would
# be a grey mesh).
GRID_OUTLINE_ZOOM = 14
# Overlay items asked per request (the OGC API's limit parameter); the viewport is the bbox.
OVERLAY_LIMIT = 1000


def _url(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def _user(request_or_user):
    return getattr(request_or_user, "user", request_or_user)


def tile_source() -> str:
    """"xyz", "tianditu" or "" (the own base)."""
    if settings.GRIDGOV_TILE_URL:
        return "xyz"
    if getattr(settings, "GRIDGOV_TIANDITU_KEY", ""):
        return "tianditu"
    return ""


def tile_crs() -> str:
    """The datum the tiles draw in, and so the datum every map draws its points in: "gcj02"
    only for an XYZ source set to it; Tianditu (CGCS2000) and the own base are WGS-84."""
    if tile_source() == "xyz" and settings.GRIDGOV_TILE_CRS == "gcj02":
        return "gcj02"
    return "wgs84"


def _tianditu_layers() -> list[dict]:
    key = settings.GRIDGOV_TIANDITU_KEY
    attribution = settings.GRIDGOV_TILE_ATTRIBUTION or _("© 天地图 国家地理信息公共服务平台")
    return [
        {
            "name": layer,
            "url": TIANDITU_URL.replace("{layer}", layer).replace("{key}", key),
            "subdomains": TIANDITU_SUBDOMAINS,
            "maxNativeZoom": TIANDITU_MAX_ZOOM,
            # The attribution once, on the vector layer.
            "attribution": attribution if layer == "vec" else "",
        }
        for layer in TIANDITU_LAYERS
    ]


def _xyz_layers() -> list[dict]:
    layer = {
        "name": "xyz",
        "url": settings.GRIDGOV_TILE_URL,
        "attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
        "maxNativeZoom": getattr(settings, "GRIDGOV_TILE_MAX_ZOOM", 19),
    }
    subdomains = getattr(settings, "GRIDGOV_TILE_SUBDOMAINS", "")
    if subdomains:
        layer["subdomains"] = subdomains
    return [layer]


def csp_image_sources() -> list[str]:
    """The CSP img-src sources the configured tiles need beyond ``GRIDGOV_TILE_URL``'s
    (which core.middleware already adds): Tianditu's hosts when it is the source."""
    return [TIANDITU_ORIGIN] if tile_source() == "tianditu" else []


def basemap_config(request_or_user=None, *, wgs84_only: bool = False,
                   overlays: bool = True) -> dict:
    """The base map of one page, for ``GG.basemap(map, cfg)``.

    ``wgs84_only``: the map draws its content in WGS-84 whatever the tiles (the statistics
    heat map): GCJ-02 tiles are then left out for the own base, which never misaligns.
    ``overlays``: False on maps that must stay light (the field terminal on a phone).
    The user decides nothing here today (the OGC API scopes the overlays itself); it is taken
    so a later per-department base needs no change at every map.
    """
    _user(request_or_user)  # accepted for the contract; see the docstring
    source = tile_source()
    crs = tile_crs()
    if wgs84_only and crs != "wgs84":
        source, crs = "", "wgs84"
    if source == "tianditu":
        layers = _tianditu_layers()
    elif source == "xyz":
        layers = _xyz_layers()
    else:
        layers = []
    outlines = _url("areas:public-outlines", "/areas/public/outlines.geojson")
    if crs == "gcj02":
        outlines += "?crs=gcj02"
    return {
        "source": source or "own",
        "crs": crs,
        "tiles": layers,
        "maxZoom": 19,
        # The own base: used when "tiles" is empty.
        "outlinesUrl": outlines,
        "labelZoom": dict(LABEL_ZOOM),
        "gridOutlineZoom": GRID_OUTLINE_ZOOM,
        "attribution": _("区划边界:本平台") if not layers else "",
        "overlaysUrl": (_url("ogcapi:collections", "/ogcapi/collections") + "?f=json"
                        if overlays else ""),
        "overlayLimit": OVERLAY_LIMIT,
        "text": {
            "overlays": _("叠加图层"),
            "open": _("打开"),
            "code": _("编码"),
            "status": _("状态"),
            "kind": _("类型"),
            "owner": _("权属单位"),
            "truncated": _("此范围内要素较多,仅显示前 %(n)s 个,请放大地图"),
        },
    }
