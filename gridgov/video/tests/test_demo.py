"""The demo registry: 3,377 cameras of four departments, valid codes, mostly online, and
cameras the 鼓楼 command room may use near its demo events."""

import pytest
from django.db.models import Count

from gridgov.events.actions.intake import validate_camera_code
from gridgov.events.models import Event
from gridgov.video.models import Camera, CameraGrant
from gridgov.video.nearby import nearby_cameras

pytestmark = pytest.mark.django_db


def test_exactly_3377_cameras_of_four_departments_with_police_the_most():
    assert Camera.objects.count() == 3377
    by_owner = dict(Camera.objects.values_list("owner__code").annotate(n=Count("id")))
    assert set(by_owner) == {"D015", "D034", "D023", "D025"}
    assert max(by_owner, key=by_owner.get) == "D015"
    sharing = dict(Camera.objects.filter(owner__code="D015")
                   .values_list("sharing_type").annotate(n=Count("id")))
    assert set(sharing) == {"conditional"}
    water = set(Camera.objects.filter(owner__code="D025").values_list("sharing_type", flat=True))
    assert "not_shared" in water and len(water) > 1
    assert set(Camera.objects.filter(owner__code__in=["D034", "D023"])
               .values_list("sharing_type", flat=True)) == {"unconditional"}


def test_codes_are_valid_and_the_district_is_covered():
    codes = list(Camera.objects.values_list("code", flat=True))
    for code in codes:
        assert validate_camera_code(code) == code and code.startswith("330203")
    online = Camera.objects.filter(status="online").count() / len(codes)
    assert 0.92 < online < 0.98
    streets = {c[:9] for c in Camera.objects.values_list("area_code", flat=True)}
    assert len(streets) == 17
    # Denser in the old city than in the towns.
    gulou = Camera.objects.filter(area_code__startswith="330203005").count()
    longguan = Camera.objects.filter(area_code__startswith="330203201").count()
    assert gulou > longguan


def test_the_command_room_grants():
    roles = set(CameraGrant.objects.active().filter(owner__code="D015", camera__isnull=True)
                .exclude(grantee_role="").values_list("grantee_role", flat=True))
    assert roles == {"intake_clerk", "shift_leader", "dispatcher"}
    assert CameraGrant.objects.active().filter(owner__code="D015",
                                               grantee_department__code="D034").exists()


def test_three_usable_cameras_within_200m_of_every_gulou_event(dispatcher):
    events = Event.objects.filter(idempotency_key__startswith="demo-event-",
                                  area_code__startswith="330203005")
    assert events.exists()
    for event in events:
        found = nearby_cameras(dispatcher, event.lng, event.lat, radius_m=200)
        assert len(found) >= 3, event.number


def test_loading_again_changes_nothing():
    from gridgov.demo import video

    assert video.load() == {"cameras_created": 0}
    assert Camera.objects.count() == 3377
