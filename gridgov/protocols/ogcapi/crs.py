"""Coordinate reference systems of the OGC API (Part 2, "CRS by reference").

Every position is stored as WGS-84/CGCS2000 longitude-latitude (the platform's one datum;
the two frames agree within centimetres, ``gridgov.areas.datum``), so each CRS offered here is
the same numbers in a different axis order:

- ``CRS84`` (OGC:CRS84): longitude, latitude. The default, as Part 1 demands, and the storage
  CRS.
- ``EPSG:4490`` (CGCS2000) and ``EPSG:4326`` (WGS 84): the EPSG definitions put latitude
  first, and Part 2 says a server answers in the axis order of the CRS's definition: every
  position is swapped. A ``bbox`` given with ``bbox-crs`` of one of these is read latitude
  first too.
"""

from django.utils.translation import gettext as _

from gridgov.protocols.common import ProtocolError

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
SUPPORTED = (CRS84, EPSG_4490, EPSG_4326)
STORAGE = CRS84
# CRSs whose definition orders the axes latitude, longitude.
LAT_FIRST = frozenset({EPSG_4490, EPSG_4326})
# Names clients write for the same CRSs (the OGC's own short forms, and EPSG's URNs).
ALIASES = {
    "crs84": CRS84, "ogc:crs84": CRS84, "urn:ogc:def:crs:ogc:1.3:crs84": CRS84,
    "https://www.opengis.net/def/crs/ogc/1.3/crs84": CRS84,
    "epsg:4490": EPSG_4490, "urn:ogc:def:crs:epsg::4490": EPSG_4490,
    "https://www.opengis.net/def/crs/epsg/0/4490": EPSG_4490,
    "epsg:4326": EPSG_4326, "urn:ogc:def:crs:epsg::4326": EPSG_4326,
    "https://www.opengis.net/def/crs/epsg/0/4326": EPSG_4326,
}


def parse_crs(value: str | None, param: str = "crs") -> str:
    """The CRS URI a ``crs`` or ``bbox-crs`` parameter names (CRS84 when absent); 400 for
    one this server does not offer."""
    if value is None or value == "":
        return CRS84
    text = value.strip().strip("[]<>")
    if text in SUPPORTED:
        return text
    known = ALIASES.get(text.lower()) or (text.lower() if text.lower() in
                                          {s.lower() for s in SUPPORTED} else None)
    if known:
        return next(s for s in SUPPORTED if s.lower() == known.lower())
    raise ProtocolError(400, _("不支持的坐标参照系 %(crs)s,可用:%(list)s。") % {
        "crs": value, "list": ", ".join(SUPPORTED)}, fields={param: [value]})


def lat_first(crs: str) -> bool:
    return crs in LAT_FIRST


def swap(coordinates):
    """GeoJSON coordinates (any nesting) with the first two values of each position swapped."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [coordinates[1], coordinates[0], *coordinates[2:]]
    return [swap(c) for c in coordinates]


def swap_geometry(geometry: dict) -> dict:
    if geometry is None:
        return None
    if geometry.get("type") == "GeometryCollection":
        return {"type": "GeometryCollection",
                "geometries": [swap_geometry(g) for g in geometry.get("geometries", [])]}
    return {"type": geometry["type"], "coordinates": swap(geometry["coordinates"])}


def header(crs: str) -> str:
    """The ``Content-Crs`` header's value."""
    return f"<{crs}>"
