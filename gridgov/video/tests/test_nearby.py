"""Nearby cameras: the index against a brute force, scope, invalidation, and the event page's
"附近的摄像头"."""

import math
import random

import numpy as np
import pytest

from gridgov.events.views.lists import detail_url
from gridgov.video import actions
from gridgov.video.models import Camera
from gridgov.video.nearby import CameraIndex, get_index, haversine_m, nearby_cameras

pytestmark = pytest.mark.django_db


def _brute(points, lng, lat, radius):
    out = []
    for pk, plng, plat in points:
        p1, p2 = math.radians(lat), math.radians(plat)
        h = (math.sin((p2 - p1) / 2) ** 2
             + math.cos(p1) * math.cos(p2) * math.sin(math.radians(plng - lng) / 2) ** 2)
        d = 2 * 6_371_000 * math.asin(math.sqrt(h))
        if d <= radius:
            out.append((d, pk))
    return [pk for d, pk in sorted(out)]


def test_the_index_agrees_with_a_brute_force():
    rnd = random.Random(7)
    points = [(i, 121.40 + rnd.random() * 0.3, 29.75 + rnd.random() * 0.25)
              for i in range(1, 5001)]
    index = CameraIndex.from_arrays(*zip(*points, strict=True))
    for _ in range(200):
        lng, lat = 121.40 + rnd.random() * 0.3, 29.75 + rnd.random() * 0.25
        radius = rnd.choice([50, 200, 500, 1500])
        ids, metres = index.within(lng, lat, radius)
        assert list(ids) == _brute(points, lng, lat, radius)
        assert list(metres) == sorted(metres)
        assert all(m <= radius for m in metres)


def test_haversine_matches_a_known_distance():
    # One degree of latitude is about 111.2 km on the sphere.
    assert float(haversine_m(121.5, 29.0, np.array([121.5]), np.array([30.0]))[0]) == \
        pytest.approx(111_195, rel=1e-3)


def test_nearby_cameras_are_the_users_usable_ones_nearest_first(dispatcher, data_officer,
                                                                police_camera, grid_worker):
    found = nearby_cameras(dispatcher, police_camera.lng, police_camera.lat, radius_m=300)
    assert found[0][0] == police_camera and found[0][1] == pytest.approx(0, abs=0.5)
    distances = [m for _c, m in found]
    assert distances == sorted(distances)
    usable = set(Camera.objects.restrict(dispatcher, "view").values_list("pk", flat=True))
    assert all(c.pk in usable for c, _m in found)
    # Brute force over the database agrees.
    brute = [c.pk for c in Camera.objects.filter(pk__in=usable, is_active=True)
             if float(haversine_m(police_camera.lng, police_camera.lat,
                                  np.array([c.lng]), np.array([c.lat]))[0]) <= 300]
    assert sorted(c.pk for c, _m in found) == sorted(brute)[:20] or len(found) == 20
    # The data officer of 区民政局 has no grant of the police cameras.
    assert police_camera not in [c for c, _m in nearby_cameras(
        data_officer, police_camera.lng, police_camera.lat, radius_m=300)]
    assert nearby_cameras(grid_worker, police_camera.lng, police_camera.lat) == []


def test_limit_and_crs(dispatcher, police_camera):
    from gridgov.areas.datum import wgs84_to_gcj02

    assert len(nearby_cameras(dispatcher, police_camera.lng, police_camera.lat,
                              radius_m=2000, limit=5)) == 5
    glng, glat = wgs84_to_gcj02(police_camera.lng, police_camera.lat)
    first = nearby_cameras(dispatcher, glng, glat, radius_m=50, crs="gcj02")[0]
    assert first[0] == police_camera


def test_a_new_camera_is_found_at_once_and_a_retired_one_no_more(police_officer, police,
                                                                 police_camera, dispatcher):
    before = get_index().size
    camera = actions.register_camera(
        actor=police_officer, owner=police, code="33020300001320999111", name="新装",
        lng=police_camera.lng + 0.0003, lat=police_camera.lat, sharing_type="unconditional")
    assert get_index().size == before + 1
    assert camera in [c for c, _m in nearby_cameras(dispatcher, camera.lng, camera.lat, 20)]
    actions.retire_camera(camera, actor=police_officer, reason="拆除")
    assert camera not in [c for c, _m in nearby_cameras(dispatcher, camera.lng, camera.lat, 20)]


def test_the_index_sees_another_processes_change_after_its_ttl(settings, police_camera):
    index = CameraIndex()
    settings.GRIDGOV_VIDEO_INDEX_TTL = 0
    size = index.size
    # A write that skips this process's invalidate() (as another process's would).
    Camera.objects.filter(pk=police_camera.pk).update(is_active=False)
    from django.utils import timezone

    Camera.objects.filter(pk=police_camera.pk).update(updated_at=timezone.now())
    assert index.size == size - 1


def test_the_event_page_lists_nearby_cameras_for_the_command_room(client_as, dispatcher):
    from gridgov.events.models import Event

    event = Event.objects.get(idempotency_key="demo-event-01")
    page = client_as(dispatcher).get(detail_url(event))
    assert page.status_code == 200
    groups = {g["key"]: g for g in page.context["nearby"]}
    cameras = groups["cameras"]["items"]
    assert len(cameras) >= 3
    assert all(item.kind == "camera" and item.distance <= 200 for item in cameras)
    assert cameras[0].url.endswith(f"?event={event.pk}")
    assert "附近的摄像头" in page.content.decode()


def test_without_video_use_the_event_page_lists_no_camera(client_as, grid_worker):
    from gridgov.events.models import Event

    event = Event.objects.get(idempotency_key="demo-event-01")
    page = client_as(grid_worker).get(detail_url(event))
    assert page.status_code == 200
    groups = {g["key"]: g for g in page.context["nearby"]}
    assert "cameras" not in groups and "reports" in groups  # no camera section at all
    assert "附近的摄像头" not in page.content.decode()
