"""GCJ-02 ↔ WGS-84 conversion at the platform's edges.

The platform stores one datum, WGS-84/CGCS2000 longitude-latitude (CGCS2000 and WGS-84 agree
within centimetres, far below what a grid needs). AutoNavi and Tencent maps, and most Chinese
phone apps, speak GCJ-02: WGS-84 plus the published obfuscation offset of GB 20263 (a few
hundred metres, a smooth function of position, applied only inside China's bounding box).

``wgs84_to_gcj02`` is the standard published forward transform (Krasovsky 1940 ellipsoid
constants). Its inverse has no closed form; ``gcj02_to_wgs84`` solves it by fixed-point
iteration to better than 1e-9 degrees (about 0.1 mm), not the common one-step approximation
that is off by up to a metre or two.

Every function takes scalars or numpy arrays and answers in kind.
"""

import math

import numpy as np

# Krasovsky 1940 ellipsoid, as used by the published GCJ-02 transform.
_A = 6378245.0
_EE = 0.00669342162296594323

# The rectangle in which GCJ-02 applies its offset; outside it both datums agree.
CHINA_MIN_LNG, CHINA_MAX_LNG = 72.004, 137.8347
CHINA_MIN_LAT, CHINA_MAX_LAT = 0.8293, 55.8271

# The inverse stops when the forward image of the estimate is this close to the input.
_INVERSE_TOLERANCE = 1e-10
_INVERSE_MAX_STEPS = 30

CRS_CHOICES = ("wgs84", "gcj02", "cgcs2000")


def out_of_china(lng, lat):
    """Whether a point lies outside the rectangle where GCJ-02 differs from WGS-84."""
    lng = np.asarray(lng, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return ~(
        (lng >= CHINA_MIN_LNG) & (lng <= CHINA_MAX_LNG)
        & (lat >= CHINA_MIN_LAT) & (lat <= CHINA_MAX_LAT)
    )


def _offset(lng, lat):
    """The GCJ-02 offset (dlng, dlat) in degrees at a WGS-84 position (arrays)."""
    x = lng - 105.0
    y = lat - 35.0
    xpi = x * math.pi
    ypi = y * math.pi
    common = (20.0 * np.sin(6.0 * xpi) + 20.0 * np.sin(2.0 * xpi)) * 2.0 / 3.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    dlat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
        + common
        + (20.0 * np.sin(ypi) + 40.0 * np.sin(ypi / 3.0)) * 2.0 / 3.0
        + (160.0 * np.sin(ypi / 12.0) + 320.0 * np.sin(ypi / 30.0)) * 2.0 / 3.0
    )
    dlng = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
        + common
        + (20.0 * np.sin(xpi) + 40.0 * np.sin(xpi / 3.0)) * 2.0 / 3.0
        + (150.0 * np.sin(xpi / 12.0) + 300.0 * np.sin(xpi / 30.0)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * np.cos(radlat) * math.pi)
    return dlng, dlat


def _answer(lng, lat, scalar):
    if scalar:
        return float(lng), float(lat)
    return lng, lat


def _inputs(lng, lat):
    scalar = np.ndim(lng) == 0 and np.ndim(lat) == 0
    lng_arr, lat_arr = np.broadcast_arrays(
        np.asarray(lng, dtype=float), np.asarray(lat, dtype=float)
    )
    return lng_arr, lat_arr, scalar


def wgs84_to_gcj02(lng, lat):
    """WGS-84 → GCJ-02. Points outside China are returned unchanged."""
    lng, lat, scalar = _inputs(lng, lat)
    dlng, dlat = _offset(lng, lat)
    outside = out_of_china(lng, lat)
    out_lng = np.where(outside, lng, lng + dlng)
    out_lat = np.where(outside, lat, lat + dlat)
    return _answer(out_lng, out_lat, scalar)


def gcj02_to_wgs84(lng, lat):
    """GCJ-02 → WGS-84 by iteration (error < 1e-9°). Points outside China are unchanged."""
    lng, lat, scalar = _inputs(lng, lat)
    outside = out_of_china(lng, lat)
    # Start from the one-step estimate, then correct by the forward residual: the offset
    # varies slowly (its derivative is ~1e-5), so each step gains about five digits.
    dlng, dlat = _offset(lng, lat)
    est_lng = lng - dlng
    est_lat = lat - dlat
    for _ in range(_INVERSE_MAX_STEPS):
        flng, flat = _offset(est_lng, est_lat)
        res_lng = est_lng + flng - lng
        res_lat = est_lat + flat - lat
        est_lng = est_lng - res_lng
        est_lat = est_lat - res_lat
        if np.all(np.abs(res_lng) < _INVERSE_TOLERANCE) and np.all(
            np.abs(res_lat) < _INVERSE_TOLERANCE
        ):
            break
    out_lng = np.where(outside, lng, est_lng)
    out_lat = np.where(outside, lat, est_lat)
    return _answer(out_lng, out_lat, scalar)


def to_wgs84(lng, lat, crs="wgs84"):
    """A position given in ``crs`` (wgs84, gcj02 or cgcs2000) as WGS-84.

    CGCS2000 is taken as WGS-84: the two frames differ by centimetres.
    """
    crs = (crs or "wgs84").lower()
    if crs in ("wgs84", "cgcs2000"):
        lng, lat, scalar = _inputs(lng, lat)
        return _answer(lng, lat, scalar)
    if crs == "gcj02":
        return gcj02_to_wgs84(lng, lat)
    raise ValueError(f"unknown crs {crs!r}; expected one of {', '.join(CRS_CHOICES)}")


def from_wgs84(lng, lat, crs="wgs84"):
    """A WGS-84 position expressed in ``crs`` (wgs84, gcj02 or cgcs2000)."""
    crs = (crs or "wgs84").lower()
    if crs in ("wgs84", "cgcs2000"):
        lng, lat, scalar = _inputs(lng, lat)
        return _answer(lng, lat, scalar)
    if crs == "gcj02":
        return wgs84_to_gcj02(lng, lat)
    raise ValueError(f"unknown crs {crs!r}; expected one of {', '.join(CRS_CHOICES)}")


def _convert_geometry(geometry: dict, func) -> dict:
    """A copy of a GeoJSON geometry with every position passed through ``func`` at once."""
    if geometry is None:
        return None
    if geometry.get("type") == "GeometryCollection":
        return {
            **geometry,
            "geometries": [_convert_geometry(g, func) for g in geometry.get("geometries", [])],
        }
    positions: list = []

    def collect(node):
        if not isinstance(node, list | tuple):
            raise ValueError(f"GeoJSON coordinates must be nested arrays of numbers, got {node!r}")
        if node and isinstance(node[0], int | float):
            positions.append(node)
            return None
        for child in node:
            collect(child)

    coords = geometry.get("coordinates")
    if coords is None:
        raise ValueError("GeoJSON geometry without coordinates")
    collect(coords)
    if not positions:
        return {**geometry, "coordinates": coords}
    lngs = np.array([p[0] for p in positions], dtype=float)
    lats = np.array([p[1] for p in positions], dtype=float)
    new_lng, new_lat = func(lngs, lats)
    it = iter(zip(new_lng.tolist(), new_lat.tolist(), positions, strict=True))

    def rebuild(node):
        if node and isinstance(node[0], int | float):
            x, y, original = next(it)
            return [x, y, *original[2:]]
        return [rebuild(child) for child in node]

    return {**geometry, "coordinates": rebuild(coords)}


def geometry_gcj02_to_wgs84(geometry: dict) -> dict:
    """A GeoJSON geometry given in GCJ-02, converted to WGS-84 (any geometry type)."""
    return _convert_geometry(geometry, gcj02_to_wgs84)


def geometry_wgs84_to_gcj02(geometry: dict) -> dict:
    """A GeoJSON geometry given in WGS-84, converted to GCJ-02 (any geometry type)."""
    return _convert_geometry(geometry, wgs84_to_gcj02)
