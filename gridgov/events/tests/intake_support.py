"""Helpers shared by the intake tests (plain functions, so each test module stays explicit)."""

import io

import shapely.geometry

from gridgov.areas.datum import wgs84_to_gcj02
from gridgov.events.models import MinorCategory

# Beijing: a real place, far outside the Haishu district.
OUTSIDE = (116.397, 39.909)


def point_in(area, crs="wgs84") -> tuple[float, float]:
    """A point inside an area's polygon (in ``crs``)."""
    p = shapely.geometry.shape(area.geometry).representative_point()
    if crs == "gcj02":
        lng, lat = wgs84_to_gcj02(p.x, p.y)
        return float(lng), float(lat)
    return p.x, p.y


def offset(point, metres_east=0.0, metres_north=0.0) -> tuple[float, float]:
    import math

    lng, lat = point
    return (lng + metres_east / (111_320.0 * math.cos(math.radians(lat))),
            lat + metres_north / 111_320.0)


def category(code="0102") -> MinorCategory:
    """A seeded minor class (0102 暴露垃圾 by default)."""
    return MinorCategory.objects.get(code=code)


def jpeg_with_gps(size=(64, 48)) -> bytes:
    """A small JPEG carrying EXIF with a GPS position, camera make and orientation."""
    from PIL import Image

    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"          # Make
    exif[0x0112] = 1                  # Orientation
    gps = {1: "N", 2: (29.0, 52.0, 30.0), 3: "E", 4: (121.0, 33.0, 0.0)}
    exif[0x8825] = gps                # GPSInfo IFD
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import Image, PngImagePlugin

    img = Image.new("RGBA", (10, 10), (0, 0, 255, 128))
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "29.87,121.55")
    out = io.BytesIO()
    img.save(out, "PNG", pnginfo=info)
    return out.getvalue()
