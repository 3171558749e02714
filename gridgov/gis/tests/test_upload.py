"""Layer uploads: zipped Shapefiles (built here with pyshp) with their .prj, GeoJSON, and the
refusals: invalid geometry with the feature number, wrong geometry type, projected numbers
read as degrees, a CRS that cannot be converted, a zip bomb, too many features."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.test.utils import override_settings

from gridgov.audit.models import AuditRecord
from gridgov.gis import actions
from gridgov.gis.models import LayerFeature
from gridgov.gis.upload import read_upload

from .support import (
    GULOU,
    bowtie,
    make_layer,
    points_geojson,
    polygons_geojson,
    shapefile_zip,
    square,
)

pytestmark = pytest.mark.django_db


def refusal(call) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict["file"]


def test_a_zipped_shapefile_with_a_cgcs2000_prj_is_stored_as_it_is():
    points = [GULOU, (GULOU[0] + 0.01, GULOU[1] + 0.01)]
    layer = make_layer("D030", "test-shelters", data=shapefile_zip(points),
                       filename="shelters.zip")
    assert layer.feature_count == 2 and layer.version == 1
    assert "2000" in layer.source_crs
    features = list(LayerFeature.objects.filter(layer=layer).order_by("number"))
    assert json.loads(features[0].geometry) == {"type": "Point", "coordinates": list(GULOU)}
    assert features[1].properties == {"name": "避难场所2", "capacity": 200}
    assert (features[0].minx, features[0].miny) == GULOU
    assert layer.bbox == [GULOU[0], GULOU[1], GULOU[0] + 0.01, GULOU[1] + 0.01]


def test_a_projected_shapefile_is_converted_to_lon_lat():
    from pyproj import CRS, Transformer

    # CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549), metres.
    prj = CRS.from_epsg(4549).to_wkt("WKT1_ESRI")
    x, y = Transformer.from_crs(4490, 4549, always_xy=True).transform(*GULOU)
    parsed = read_upload("s.zip", shapefile_zip([(x, y)], prj=prj), "point")
    lon, lat = parsed.features[0].geometry["coordinates"]
    assert abs(lon - GULOU[0]) < 1e-6 and abs(lat - GULOU[1]) < 1e-6
    assert "120E" in parsed.source_crs


def test_a_gbk_shapefile_without_cpg_is_read():
    data = shapefile_zip([GULOU], names=["鼓楼公园"], encoding="gbk", with_cpg=False)
    parsed = read_upload("s.zip", data, "point")
    assert parsed.features[0].properties["name"] == "鼓楼公园"


def test_projected_numbers_without_prj_are_refused():
    messages = refusal(lambda: read_upload("s.zip", shapefile_zip([(500000.0, 3300000.0)],
                                                                  prj=None), "point"))
    assert "第 1 个要素" in messages[0] and ".prj" in messages[0]


def test_an_unreadable_prj_is_refused():
    messages = refusal(lambda: read_upload("s.zip", shapefile_zip([GULOU], prj="LOCAL_CS[x]"),
                                           "point"))
    assert ".prj" in messages[0]


def test_a_zip_without_dbf_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.shp", b"x")
        archive.writestr("a.shx", b"x")
    assert ".dbf" in refusal(lambda: read_upload("a.zip", out.getvalue(), "point"))[0]


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.shp", b"\0" * 2_000_000)
    with override_settings(GRIDGOV_MAX_IMPORT_UNCOMPRESSED_BYTES=1_000_000):
        messages = refusal(lambda: read_upload("a.zip", out.getvalue(), "point"))
    assert "解压后超过" in messages[0]


def test_invalid_geometry_is_refused_with_its_feature_number():
    layer = make_layer("D030", "areas", geometry_type="polygon",
                       data=polygons_geojson([square(*GULOU)]))
    bad = polygons_geojson([square(*GULOU), square(GULOU[0] + 0.01, GULOU[1]),
                            bowtie(GULOU[0] + 0.02, GULOU[1])])
    messages = refusal(lambda: actions.upload_features(layer, actor=None, name="a.geojson",
                                                       data=bad))
    assert len(messages) == 1
    assert messages[0].startswith("第 3 个要素") and "Self-intersection" in messages[0]
    # Nothing changed: the old feature is still the layer.
    layer.refresh_from_db()
    assert layer.feature_count == 1 and layer.version == 1
    assert LayerFeature.objects.filter(layer=layer).count() == 1


def test_wrong_geometry_type_and_out_of_range_points_are_each_named():
    data = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(GULOU)},
         "properties": {}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [
            list(GULOU), [GULOU[0] + 0.01, GULOU[1]]]}, "properties": {}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [500000, 3300000]},
         "properties": {}},
        {"type": "Feature", "geometry": None, "properties": {}},
    ]}).encode()
    messages = refusal(lambda: read_upload("x.geojson", data, "point"))
    assert [m.split(":")[0] for m in messages] == ["第 2 个要素", "第 3 个要素", "第 4 个要素"]


def test_gcj02_declared_coordinates_are_converted():
    from gridgov.areas.datum import wgs84_to_gcj02

    shifted = wgs84_to_gcj02(*GULOU)
    parsed = read_upload("p.geojson", points_geojson(1, start=shifted), "point",
                         declared="gcj02")
    lon, lat = parsed.features[0].geometry["coordinates"]
    assert abs(lon - GULOU[0]) < 1e-6 and abs(lat - GULOU[1]) < 1e-6
    assert parsed.source_crs == "GCJ-02"


def test_too_many_features_and_wrong_file_types_are_refused():
    with override_settings(GRIDGOV_GIS_MAX_FEATURES=2):
        assert "上限" in refusal(lambda: read_upload("p.geojson", points_geojson(3),
                                                    "point"))[0]
    assert "GeoJSON" in refusal(lambda: read_upload("p.csv", b"a,b", "point"))[0]
    assert "GeoJSON" in refusal(lambda: read_upload("p.geojson", b"{oops", "point"))[0]


def test_an_upload_replaces_the_features_atomically_and_is_audited():
    layer = make_layer("D030", "test-shelters", data=points_geojson(3))
    first_ids = set(LayerFeature.objects.filter(layer=layer).values_list("pk", flat=True))
    layer = actions.upload_features(layer, actor=None, name="v2.geojson",
                                    data=points_geojson(5, capacity=80))
    assert layer.version == 2 and layer.feature_count == 5
    rows = LayerFeature.objects.filter(layer=layer)
    assert rows.count() == 5 and not first_ids & set(rows.values_list("pk", flat=True))
    assert rows.first().properties["capacity"] == 80
    record = AuditRecord.objects.filter(action="gis.upload_features",
                                        object_id=str(layer.pk)).order_by("-id").first()
    assert record is not None and "v2.geojson" in record.remark


def test_only_unconditional_layers_may_be_public_and_conditions_are_required():
    with pytest.raises(ValidationError) as caught:
        make_layer("D030", "x1", sharing_type="conditional", is_public=True)
    assert "is_public" in caught.value.message_dict
    from gridgov.accounts.models import Department

    with pytest.raises(ValidationError) as caught:
        actions.create_layer(actor=None, owner=Department.objects.get(code="D030"),
                             code="x2", name="x", sharing_type="conditional")
    assert "sharing_condition" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.create_layer(actor=None, owner=Department.objects.get(code="D030"),
                             code="Bad Code", name="x", sharing_type="unconditional")
    assert "code" in caught.value.message_dict
