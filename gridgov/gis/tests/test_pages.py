"""The layers' pages and API: a data officer creates a layer, uploads a GeoJSON file (and sees
an invalid one refused with the feature number), publishes it and grants it; who may open
which page; the layers API with ``updated_since``."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gridgov.audit.models import AuditRecord
from gridgov.gis.models import Layer, LayerGrant

from .support import GULOU, bowtie, make_layer, points_geojson, polygons_geojson, square

pytestmark = pytest.mark.django_db


def test_a_data_officer_creates_uploads_publishes_and_grants_a_layer(client_as, data_officer):
    client = client_as(data_officer)  # 区民政局
    response = client.post("/gis/new/", {
        "code": "care-homes", "name": "养老机构", "geometry_type": "point",
        "sharing_type": "conditional", "sharing_condition": "用于养老服务和应急转移"})
    assert response.status_code == 302 and response["Location"] == "/gis/layers/care-homes/upload/"
    layer = Layer.objects.get(code="care-homes")
    assert layer.owner == data_officer.department and not layer.is_published

    upload = SimpleUploadedFile("homes.geojson", points_geojson(4), "application/geo+json")
    response = client.post("/gis/layers/care-homes/upload/", {"file": upload,
                                                               "declared_crs": "wgs84"})
    assert response.status_code == 302
    layer.refresh_from_db()
    assert layer.feature_count == 4 and layer.version == 1

    response = client.post("/gis/layers/care-homes/edit/", {
        "name": "养老机构", "geometry_type": "point", "sharing_type": "conditional",
        "sharing_condition": "用于养老服务和应急转移", "is_published": "on"})
    assert response.status_code == 302
    layer.refresh_from_db()
    assert layer.is_published

    page = client.get("/gis/layers/care-homes/").content.decode()
    assert "养老机构" in page and "/ogcapi/collections/layer-care-homes/items" in page

    from gridgov.accounts.models import Department

    zhifa = Department.objects.get(code="D034")
    response = client.post("/gis/grants/", {"layer": str(layer.pk), "department": zhifa.pk,
                                            "reason": "联合巡查"})
    assert response.status_code == 302
    grant = LayerGrant.objects.get(layer=layer)
    assert grant.grantee_department == zhifa
    response = client.post(f"/gis/grants/{grant.pk}/revoke/", {"reason": "巡查结束"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    actions = set(AuditRecord.objects.filter(action__startswith="gis.")
                  .values_list("action", flat=True))
    assert {"gis.create_layer", "gis.upload_features", "gis.update_layer", "gis.grant",
            "gis.revoke_grant"} <= actions


def test_an_invalid_upload_is_shown_with_the_feature_number(client_as, data_officer):
    layer = make_layer("D016", "zones", geometry_type="polygon",
                       data=polygons_geojson([square(*GULOU)]))
    bad = polygons_geojson([square(*GULOU), bowtie(GULOU[0] + 0.01, GULOU[1])])
    response = client_as(data_officer).post(f"/gis/layers/{layer.code}/upload/", {
        "file": SimpleUploadedFile("zones.geojson", bad), "declared_crs": "wgs84"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "第 2 个要素" in html and "几何无效" in html
    layer.refresh_from_db()
    assert layer.feature_count == 1


def test_who_may_open_which_page(client_as, grid_worker, dept_admin, data_officer):
    layer = make_layer("D016", "care-homes", sharing_type="unconditional")
    worker = client_as(grid_worker)
    assert worker.get("/gis/").status_code == 200
    assert "care-homes" in worker.get("/gis/").content.decode()
    assert worker.get("/gis/layers/care-homes/").status_code == 200
    assert worker.get("/gis/new/").status_code == 403
    # Another department's administrator publishes its own layers, not this one.
    other = client_as(dept_admin)
    assert other.get(f"/gis/layers/{layer.code}/edit/").status_code == 404
    assert other.get(f"/gis/layers/{layer.code}/upload/").status_code == 404
    assert other.get("/gis/new/").status_code == 200
    anonymous = Client().get("/gis/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # A conditional layer without a grant is 404 to other departments.
    hidden = make_layer("D016", "secret-points")
    assert worker.get(f"/gis/layers/{hidden.code}/").status_code == 404
    assert client_as(data_officer).get(f"/gis/layers/{hidden.code}/").status_code == 200


def test_the_layers_api_lists_what_the_caller_sees(api_as, grid_worker, data_officer):
    make_layer("D016", "care-homes", sharing_type="unconditional")
    make_layer("D016", "secret-points")
    worker = api_as(grid_worker).get("/api/v1/gis/layers/")
    assert worker.status_code == 200
    codes = {row["code"] for row in worker.json()["results"]}
    assert "care-homes" in codes and "secret-points" not in codes
    row = api_as(data_officer).get("/api/v1/gis/layers/secret-points/").json()
    assert row["feature_count"] == 3 and row["collection_id"] == "layer-secret-points"
    assert row["collection_url"].endswith("/ogcapi/collections/layer-secret-points/items")
    later = api_as(data_officer).get("/api/v1/gis/layers/",
                                     {"updated_since": "2999-01-01T00:00:00Z"})
    assert later.status_code == 200 and later.json()["results"] == []
    assert Client().get("/api/v1/gis/layers/").status_code in (401, 403)
