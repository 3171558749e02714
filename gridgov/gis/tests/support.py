"""Helpers of the layer tests: GeoJSON and zipped Shapefiles built in the test, and layers
loaded through the actions (as the system)."""

import io
import json
import zipfile

from gridgov.accounts.models import Department
from gridgov.gis import actions

# Inside 鼓楼街道 (Haishu), lon/lat.
GULOU = (121.548, 29.875)
CGCS2000_PRJ = ('GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",'
                'SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
                'UNIT["Degree",0.0174532925199433]]')


def points_geojson(n=3, start=GULOU, step=0.001, **props) -> bytes:
    features = [{"type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [start[0] + i * step,
                                                               start[1] + i * step]},
                 "properties": {"name": f"点{i + 1}", **props}} for i in range(n)]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def square(x, y, d=0.002):
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def bowtie(x, y, d=0.002):
    """A self-intersecting ring: invalid."""
    return [[[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]]


def polygons_geojson(rings) -> bytes:
    features = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": ring},
                 "properties": {"name": f"面{i + 1}"}} for i, ring in enumerate(rings)]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def shapefile_zip(points, *, prj=CGCS2000_PRJ, names=None, encoding="utf-8",
                  with_cpg=True) -> bytes:
    """A zipped point Shapefile (pyshp) with a ``name`` and a ``capacity`` field."""
    import shapefile

    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POINT,
                              encoding=encoding)
    writer.field("name", "C", size=50)
    writer.field("capacity", "N", size=10)
    for i, (x, y) in enumerate(points):
        writer.point(x, y)
        writer.record((names or [])[i] if names else f"避难场所{i + 1}", 100 * (i + 1))
    writer.close()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("shelters.shp", shp.getvalue())
        archive.writestr("shelters.shx", shx.getvalue())
        archive.writestr("shelters.dbf", dbf.getvalue())
        if prj:
            archive.writestr("shelters.prj", prj)
        if with_cpg:
            archive.writestr("shelters.cpg", encoding.upper())
    return out.getvalue()


def make_layer(owner_code, code, *, data=None, name=None, sharing_type="conditional",
               is_public=False, publish=True, geometry_type="point", filename="data.geojson"):
    """A layer of the department ``owner_code`` with the features of ``data`` (3 points by
    default), published unless told not to."""
    owner = Department.objects.get(code=owner_code)
    extra = {"sharing_condition": "用于应急处置"} if sharing_type == "conditional" else {}
    if sharing_type == "not_shared":
        extra = {"legal_basis": "《测绘法》第三十四条"}
    layer = actions.create_layer(actor=None, owner=owner, code=code, name=name or code,
                                 geometry_type=geometry_type, sharing_type=sharing_type,
                                 is_public=is_public, **extra)
    layer = actions.upload_features(layer, actor=None, name=filename,
                                    data=data if data is not None else points_geojson())
    if publish:
        layer = actions.update_layer(layer, actor=None, is_published=True)
    return layer
