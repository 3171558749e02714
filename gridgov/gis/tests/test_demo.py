"""The demo's layers: 区应急管理局's shelters (public) and 区水利局's flood points (granted),
inside the district, loaded once however often the demo loads."""

import json

import pytest
from django.test import Client
from shapely.geometry import shape

from gridgov.areas.models import Area
from gridgov.demo import gis as demo_gis
from gridgov.gis.models import Layer, LayerGrant

pytestmark = pytest.mark.django_db


def test_demo_layers_are_published_inside_the_district_and_load_once():
    shelters = Layer.objects.get(code="shelters")
    flood = Layer.objects.get(code="flood-points")
    assert shelters.owner.code == "D030" and shelters.is_public and shelters.is_published
    assert flood.owner.code == "D025" and flood.sharing_type == "conditional"
    assert flood.feature_count >= 20 and shelters.feature_count >= 10
    assert LayerGrant.objects.filter(layer=flood, revoked_at__isnull=True).count() == 2
    district = shape(Area.objects.get(level="district").geometry)
    for feature in flood.features.all():
        assert district.contains(shape(json.loads(feature.geometry)))
    assert demo_gis.load() == {"gis_layers": 0}


def test_the_public_reads_the_shelters_not_the_flood_points():
    listed = {c["id"] for c in json.loads(Client().get("/ogcapi/collections").content)[
        "collections"]}
    assert "layer-shelters" in listed and "layer-flood-points" not in listed


def test_a_role_grant_reaches_its_holders_only(client_as, shift_leader, dispatcher):
    """区水利局 granted its flood points to the role 值班长: the shift leader reads them, the
    dispatcher of the same command room does not."""
    url = "/ogcapi/collections/layer-flood-points/items"
    assert client_as(shift_leader).get(url).status_code == 200
    assert client_as(dispatcher).get(url).status_code == 404
