"""Vocabularies of the published layers. The sharing classes are the data resource centre's
(``sharing.choices.SharingType``): a layer is shared unconditionally, on a grant, or not at
all, like any other resource."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.sharing.choices import SharingType  # noqa: F401  (re-exported for the app)


class GeometryType(models.TextChoices):
    """What a layer's features are; an upload of another kind is refused feature by feature."""

    POINT = "point", _("点")
    LINE = "line", _("线")
    POLYGON = "polygon", _("面")
    MIXED = "mixed", _("混合")


# GeoJSON geometry types each layer kind accepts.
ACCEPTED_TYPES = {
    GeometryType.POINT: {"Point", "MultiPoint"},
    GeometryType.LINE: {"LineString", "MultiLineString"},
    GeometryType.POLYGON: {"Polygon", "MultiPolygon"},
    GeometryType.MIXED: {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                         "MultiPolygon", "GeometryCollection"},
}


class SourceCrs(models.TextChoices):
    """The coordinates of an upload without a .prj (or of a GeoJSON file), as the uploader
    declares them. CGCS2000 and WGS-84 agree within centimetres and are stored as they are;
    GCJ-02 (AutoNavi, Tencent) is converted to WGS-84 on the way in."""

    WGS84 = "wgs84", _("WGS-84 / CGCS2000 经纬度")
    GCJ02 = "gcj02", _("GCJ-02(高德、腾讯坐标)")
