"""Scope on every collection of the OGC API: anonymous callers, a grid worker, a department
API key and a data officer of another department, for the areas, the basic data, cameras,
events and the departments' layers. Out of scope is 404, like a collection that does not
exist; inside a collection, only the rows the caller may read."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.accounts.models import Department
from gridgov.demo.users import GAOQIAO_GRID, GULOU_GRID
from gridgov.events.models import Event
from gridgov.protocols.open311.views import PUBLIC_SOURCES

pytestmark = pytest.mark.django_db

PUBLIC = {"district", "streets", "communities", "grids", "organisations", "events"}
PRIVATE = {"buildings", "houses", "components", "cameras"}


def ids(client, **headers):
    response = client.get("/ogcapi/collections", **headers)
    assert response.status_code == 200
    return {c["id"] for c in json.loads(response.content)["collections"]}


def items(client, collection, **params):
    headers = params.pop("headers", {})
    response = client.get(f"/ogcapi/collections/{collection}/items",
                          {"limit": 10000, **params}, **headers)
    assert response.status_code == 200, response.content
    return json.loads(response.content)["features"]


def status(client, collection, **headers):
    return client.get(f"/ogcapi/collections/{collection}/items", **headers).status_code


@pytest.fixture
def camera(db):
    """A conditional camera of 区公安分局 (D015) in 鼓楼 grid 001."""
    from gridgov.areas.models import Area
    from gridgov.video.models import Camera

    grid = Area.objects.get(code=GULOU_GRID)
    return Camera.objects.create(
        code="33020300001320000901", name="鼓楼公园东门", owner=Department.objects.get(
            code="D015"), lng=grid.centroid_lng, lat=grid.centroid_lat, grid=grid,
        area_code=grid.code, sharing_type="conditional", sharing_condition="处置事件时调阅",
        rtsp_url="rtsp://admin:secret@10.0.0.1/stream", hls_url="https://video/x.m3u8")


def test_anonymous_callers_get_the_public_collections_only(layers):
    client = Client()
    listed = ids(client)
    assert PUBLIC | {"layer-test-shelters"} <= listed
    assert not listed & (PRIVATE | {"layer-test-rescue", "layer-test-flood",
                                    "layer-test-draft"})
    for hidden in PRIVATE | {"layer-test-rescue", "layer-test-flood",
                             "layer-test-draft"}:
        assert status(client, hidden) == 404
        assert client.get(f"/ogcapi/collections/{hidden}").status_code == 404
    shelters = json.loads(client.get("/ogcapi/collections/layer-test-shelters").content)
    assert shelters["gridgov:overlay"] is True
    assert len(items(client, "layer-test-shelters")) == 3


def test_anonymous_organisations_are_public_bodies_without_people(client_as, grid_worker):
    from gridgov.areas.models import Area
    from gridgov.basedata.models import Organisation
    from gridgov.demo.basedata import make_uscc

    grid = Area.objects.get(code=GULOU_GRID)
    school = Organisation.objects.create(
        grid=grid, name="鼓楼小学", uscc=make_uscc(990001), org_type="institution",
        legal_representative="王校长", address="鼓楼街道公园路1号", lng=121.549, lat=29.876)
    shop = Organisation.objects.get(pk=Organisation.objects.filter(
        org_type="enterprise", area_code__startswith=GULOU_GRID, lng__isnull=False)
        .values("pk")[:1])
    features = items(Client(), "organisations")
    names = {f["properties"]["name"] for f in features}
    assert school.name in names and shop.name not in names
    assert {f["properties"]["org_type"] for f in features} <= {"government", "institution"}
    assert all("legal_representative" not in f["properties"] for f in features)
    # Staff also read the organisations of their own areas.
    staff = {f["properties"]["name"] for f in items(client_as(grid_worker), "organisations")}
    assert {school.name, shop.name} <= staff


@pytest.fixture
def public_reports(db):
    """Three demo events as if residents had reported them through the public web form."""
    pks = list(Event.objects.exclude(state__in=("held", "void")).order_by("id")
               .values_list("pk", flat=True)[:3])
    Event.objects.filter(pk__in=pks).update(source="citizen")
    return list(Event.objects.filter(pk__in=pks).select_related("grid"))


def test_anonymous_events_are_residents_public_reports_at_the_grid_centroid(public_reports):
    from gridgov.areas.models import Area

    features = items(Client(), "events")
    assert {e.number for e in public_reports} <= {f["properties"]["number"] for f in features}
    numbers = {f["properties"]["number"] for f in features}
    public = set(Event.objects.filter(source__in=PUBLIC_SOURCES).exclude(state="held")
                 .values_list("number", flat=True))
    assert numbers <= public
    hidden = set(Event.objects.exclude(source__in=PUBLIC_SOURCES)
                 .values_list("number", flat=True))
    assert not numbers & hidden
    centroids = {(a.centroid_lng, a.centroid_lat) for a in Area.objects.filter(level="grid")}
    for feature in features:
        assert tuple(feature["geometry"]["coordinates"]) in centroids
        assert "address" not in feature["properties"]
        assert feature["properties"]["located"] == "grid"


def test_staff_read_their_events_in_full(client_as, grid_worker):
    features = items(client_as(grid_worker), "events")
    mine = set(Event.objects.restrict(grid_worker).values_list("number", flat=True))
    full = [f for f in features if f["properties"]["number"] in mine]
    assert full
    event = Event.objects.get(number=full[0]["properties"]["number"])
    assert full[0]["geometry"]["coordinates"] == [event.lng, event.lat]
    assert full[0]["properties"]["address"] == event.address


def test_grid_worker_reads_the_own_grid_and_shared_layers(client_as, grid_worker, layers):
    from gridgov.areas.models import Area
    from gridgov.basedata.models import Building

    own, other = Area.objects.get(code=GULOU_GRID), Area.objects.get(code=GAOQIAO_GRID)
    Building.objects.create(grid=own, name="1幢", address="公园路8号", floors=6,
                            lng=own.centroid_lng, lat=own.centroid_lat)
    far = Building.objects.create(grid=other, name="2幢", address="高桥路9号", floors=3,
                                  lng=other.centroid_lng, lat=other.centroid_lat)
    client = client_as(grid_worker)
    listed = ids(client)
    assert {"buildings", "houses", "layer-test-shelters"} <= listed
    assert "cameras" not in listed  # grid workers do not use cameras (video.use)
    assert status(client, "cameras") == 404
    assert {"layer-test-rescue", "layer-test-flood", "layer-test-draft"}.isdisjoint(listed)
    assert status(client, "layer-test-rescue") == 404
    buildings = items(client, "buildings")
    assert buildings and far.pk not in {f["id"] for f in buildings}
    assert all(f["properties"]["grid_code"].startswith(GULOU_GRID) for f in buildings)
    houses = items(client, "houses")
    assert houses
    for feature in houses:
        assert not {"owner_name", "tenants", "rental_status", "phone"} & set(
            feature["properties"])


def test_department_key_reads_granted_layers_only(zhifa_key, layers):
    client = Client()
    key = {"HTTP_X_API_KEY": zhifa_key}
    listed = ids(client, **key)
    assert {"layer-test-flood", "layer-test-shelters"} <= listed
    assert "layer-test-rescue" not in listed
    assert status(client, "layer-test-rescue", **key) == 404
    assert len(items(client, "layer-test-flood", headers=key)) == 3
    # The key in the query works too (desktop clients), and links keep it.
    data = json.loads(client.get("/ogcapi/collections/layer-test-flood/items",
                                 {"api_key": zhifa_key, "limit": 1}).content)
    nxt = next(link["href"] for link in data["links"] if link["rel"] == "next")
    assert f"api_key={zhifa_key}" in nxt
    # A made-up key is refused, never read as anonymous.
    assert status(client, "grids", HTTP_X_API_KEY="made-up") == 403


def test_revoking_a_grant_hides_the_layer_at_once(zhifa_key, layers):
    from gridgov.gis import actions
    from gridgov.gis.models import LayerGrant

    key = {"HTTP_X_API_KEY": zhifa_key}
    assert status(Client(), "layer-test-flood", **key) == 200
    actions.revoke_layer_grant(LayerGrant.objects.get(layer=layers["flood"]), actor=None,
                               reason="联合执法结束")
    assert status(Client(), "layer-test-flood", **key) == 404


def test_data_officer_of_another_department_needs_a_camera_grant(client_as, data_officer,
                                                                 camera, layers):
    from gridgov.video.models import CameraGrant

    client = client_as(data_officer)  # 区民政局
    assert camera.code not in {f["properties"]["code"] for f in
                               (items(client, "cameras") if "cameras" in ids(client) else [])}
    assert status(client, "layer-test-rescue") == 404
    CameraGrant.objects.create(owner=camera.owner, camera=camera,
                               grantee_department=data_officer.department,
                               reason="养老机构巡查", granted_at=timezone.now())
    features = items(client, "cameras")
    mine = next(f for f in features if f["properties"]["code"] == camera.code)
    assert mine["properties"]["owner"] == "区公安分局"
    assert set(mine["properties"]) == {"code", "name", "owner", "status", "status_label",
                                       "kind_label", "url"}
    text = json.dumps(features)
    assert "rtsp" not in text and "m3u8" not in text
    collection = json.loads(client.get("/ogcapi/collections/cameras").content)
    assert collection["gridgov:overlay"] is True


def test_owner_publishers_see_their_unpublished_layer_but_nobody_lists_it(client_as,
                                                                          data_officer):
    from gridgov.gis.tests.support import make_layer

    draft = make_layer("D016", "care-homes", publish=False, name="养老机构")
    client = client_as(data_officer)  # 区民政局's data officer: the owner's publisher
    assert status(client, draft.collection_id) == 200
    assert draft.collection_id not in ids(client)
    assert status(Client(), draft.collection_id) == 404


def test_area_households_only_inside_the_callers_areas(client_as, grid_worker):
    from gridgov.areas.models import Area

    grid = Area.objects.get(code=GULOU_GRID)
    other = Area.objects.filter(level="grid").exclude(code__startswith=GULOU_GRID[:12]).first()
    anonymous = json.loads(Client().get(f"/ogcapi/collections/grids/items/{grid.pk}").content)
    assert "households" not in anonymous["properties"]
    client = client_as(grid_worker)
    own = json.loads(client.get(f"/ogcapi/collections/grids/items/{grid.pk}").content)
    assert "households" in own["properties"]
    theirs = json.loads(client.get(f"/ogcapi/collections/grids/items/{other.pk}").content)
    assert "households" not in theirs["properties"]


def test_a_bbox_finds_public_events_by_their_grid_not_their_point(public_reports):
    from gridgov.areas.models import Area

    event = public_reports[0]
    grid = event.grid
    tiny = 0.00001
    around_centroid = (f"{grid.centroid_lng - tiny},{grid.centroid_lat - tiny},"
                       f"{grid.centroid_lng + tiny},{grid.centroid_lat + tiny}")
    numbers = {f["properties"]["number"] for f in items(Client(), "events",
                                                          bbox=around_centroid)}
    assert event.number in numbers
    if abs(event.lng - grid.centroid_lng) > 2 * tiny or abs(event.lat - grid.centroid_lat) > \
            2 * tiny:
        around_point = (f"{event.lng - tiny},{event.lat - tiny},"
                        f"{event.lng + tiny},{event.lat + tiny}")
        found = {f["properties"]["number"] for f in items(Client(), "events",
                                                          bbox=around_point)}
        assert event.number not in found
    assert Area.objects.filter(pk=grid.pk).exists()


def test_a_grant_of_all_conditional_layers_covers_later_ones(zhifa_key, layers):
    """区应急管理局 grants all its conditional layers to 区综合行政执法局: the existing one and
    one published afterwards; never its unpublished draft."""
    from gridgov.gis import actions
    from gridgov.gis.tests.support import make_layer

    key = {"HTTP_X_API_KEY": zhifa_key}
    assert status(Client(), "layer-test-rescue", **key) == 404
    actions.grant_layers(actor=None, owner=layers["closed"].owner, reason="应急联动",
                         department=Department.objects.get(code="D034"))
    later = make_layer("D030", "test-later", name="物资储备点")
    assert status(Client(), "layer-test-rescue", **key) == 200
    assert status(Client(), later.collection_id, **key) == 200
    assert status(Client(), "layer-test-draft", **key) == 404
