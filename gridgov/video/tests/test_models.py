"""``restrict_q`` of the registry's models, role by role, straight on the querysets."""

import pytest

from gridgov.video.models import Camera, CameraGrant, CameraImport, CameraView

pytestmark = pytest.mark.django_db


def test_who_uses_which_cameras(dispatcher, leader, district_leader, data_officer, dept_admin,
                                grid_worker, sys_admin):
    def owners(user):
        return set(Camera.objects.restrict(user, "view").values_list("owner__code", flat=True)
                   .distinct())

    # The street's command room: its street's cameras, the police ones by the role grant.
    assert owners(dispatcher) == {"D015", "D034", "D023", "D025"}
    assert not Camera.objects.restrict(dispatcher, "view").exclude(
        area_code__startswith="330203005").exists()
    # A leader: no grant of the police cameras.
    assert "D015" not in owners(leader) and "D015" not in owners(district_leader)
    # 区综合行政执法局 is granted the police cameras; its own are its anyway.
    assert "D015" in owners(dept_admin)
    assert "D015" not in owners(data_officer)
    assert owners(grid_worker) == set() and owners(sys_admin) == set()
    assert not Camera.objects.restrict(dispatcher, "view").filter(
        sharing_type="not_shared").exists()


def test_who_changes_which_cameras(dept_admin, data_officer, dispatcher):
    assert set(Camera.objects.restrict(dept_admin, "change")
               .values_list("owner__code", flat=True).distinct()) == {"D034"}
    assert not Camera.objects.restrict(data_officer, "change").exists()   # 民政 has none
    assert not Camera.objects.restrict(dispatcher, "change").exists()


def test_who_reads_which_grants(dept_admin, dispatcher, police_officer, leader):
    assert CameraGrant.objects.restrict(police_officer, "change").count() == 4
    assert [g.grantee_department.code for g in
            CameraGrant.objects.restrict(dept_admin, "view")] == ["D034"]
    assert [g.grantee_role for g in
            CameraGrant.objects.restrict(dispatcher, "view")] == ["dispatcher"]
    assert not CameraGrant.objects.restrict(leader, "view").exists()
    assert not CameraGrant.objects.restrict(dept_admin, "change").exists()


def test_the_view_log_and_the_imports(dispatcher, leader, audit_admin, police_officer,
                                      police_camera, police):
    from django.utils import timezone

    now = timezone.now()
    view = CameraView.objects.create(camera=police_camera, user=dispatcher, reason="核查",
                                     issued_at=now, expires_at=now)
    assert view in CameraView.objects.restrict(dispatcher, "view")
    assert view not in CameraView.objects.restrict(leader, "view")
    assert view in CameraView.objects.restrict(audit_admin, "view")
    assert view in CameraView.objects.restrict(police_officer, "view")
    batch = CameraImport.objects.create(owner=police, filename="x.csv", sha256="0")
    assert batch in CameraImport.objects.restrict(police_officer, "view")
    assert batch not in CameraImport.objects.restrict(dispatcher, "view")
