"""The registry's filters: each alone, invalid values named by field, never wider than the
restricted queryset."""

import pytest

from gridgov.video.filtersets import CameraFilterSet, CameraGrantFilterSet
from gridgov.video.models import Camera, CameraGrant

pytestmark = pytest.mark.django_db


def _qs(user, data):
    base = Camera.objects.restrict(user, "view")
    filterset = CameraFilterSet(data, queryset=base)
    assert filterset.is_valid(), filterset.errors
    return base, filterset.qs


@pytest.mark.parametrize("data, check", [
    ({"owner": "D034"}, lambda c: c.owner.code == "D034"),
    ({"status": "fault"}, lambda c: c.status == "fault"),
    ({"kind": "dome"}, lambda c: c.kind == "dome"),
    ({"sharing_type": "unconditional"}, lambda c: c.sharing_type == "unconditional"),
    ({"area": "330203005001"}, lambda c: c.area_code.startswith("330203005001")),
])
def test_each_filter_alone(dispatcher, data, check):
    base, qs = _qs(dispatcher, data)
    rows = list(qs.select_related("owner"))
    assert rows and all(check(c) for c in rows)
    assert set(qs.values_list("pk", flat=True)) <= set(base.values_list("pk", flat=True))


def test_text_matches_name_code_prefix_and_place(dispatcher, police_camera):
    for value in (police_camera.name, police_camera.code[:14], police_camera.place):
        _base, qs = _qs(dispatcher, {"q": value})
        assert police_camera in qs


def test_near_ranks_nearest_first_and_stays_inside_scope(data_officer, police_camera):
    base, qs = _qs(data_officer, {"near": f"{police_camera.lng},{police_camera.lat}",
                                  "radius": "500"})
    rows = list(qs)
    assert rows and police_camera not in rows      # 区民政局 has no grant of it
    assert set(c.pk for c in rows) <= set(base.values_list("pk", flat=True))


@pytest.mark.parametrize("data, field", [
    ({"status": "x"}, "status"), ({"area": "12"}, "area"), ({"near": "a,b"}, "near"),
    ({"near": "200,1"}, "near"), ({"radius": "0"}, "radius"), ({"owner": "D0-1"}, "owner"),
])
def test_invalid_values_name_their_field(dispatcher, data, field):
    filterset = CameraFilterSet(data, queryset=Camera.objects.restrict(dispatcher, "view"))
    assert not filterset.is_valid() and field in filterset.errors


def test_grant_filters(police_officer):
    base = CameraGrant.objects.restrict(police_officer, "view")
    roles = CameraGrantFilterSet({"role": "dispatcher"}, queryset=base).qs
    assert [g.grantee_role for g in roles] == ["dispatcher"]
    departments = CameraGrantFilterSet({"department": "D034"}, queryset=base).qs
    assert [g.grantee_department.code for g in departments] == ["D034"]
    assert CameraGrantFilterSet({"active": "false"}, queryset=base).qs.count() == 0
