"""The registry's verbs: checks on the right field, who may write, one audit record each,
status history, and grants / revocation changing what ``restrict`` returns."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.areas.datum import wgs84_to_gcj02
from gridgov.audit.models import AuditRecord
from gridgov.video import actions
from gridgov.video.models import Camera, CameraGrant, CameraStatusChange

from .support import GOOD_CODE

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(gulou_grid):
    import shapely.geometry

    p = shapely.geometry.shape(gulou_grid.geometry).representative_point()
    return p.x, p.y


def _register(officer, police, point, **extra):
    values = dict(actor=officer, owner=police, code=GOOD_CODE, name="测试路口", lng=point[0],
                  lat=point[1], sharing_type="conditional", sharing_condition="按事由调阅")
    values.update(extra)
    return actions.register_camera(**values)


@pytest.mark.parametrize("code, fragment", [
    ("1234", "20 位"),
    ("9902030000132099900A", "20 位"),
    ("99020300001320999001", "省级"),
    ("33020300001140999001", "设备类型"),   # 114: a decoder, not a video source
])
def test_a_bad_gbt28181_code_is_refused_on_the_code_field(police_officer, police, point,
                                                          code, fragment):
    with pytest.raises(ValidationError) as info:
        _register(police_officer, police, point, code=code)
    assert fragment in " ".join(info.value.message_dict["code"])


def test_register_places_the_camera_in_its_grid_with_one_audit_record(
        police_officer, police, point, gulou_grid):
    before = AuditRecord.objects.filter(action="video.register_camera").count()
    camera = _register(police_officer, police, point, rtsp_url="rtsp://admin:pw@10.0.0.1/1")
    assert camera.area_code == gulou_grid.code and camera.grid_id == gulou_grid.pk
    assert AuditRecord.objects.filter(action="video.register_camera").count() == before + 1
    record = AuditRecord.objects.filter(action="video.register_camera").latest("id")
    # The stream address (with its password) is never written into the audit log.
    assert "admin:pw" not in str(record.changes)
    assert CameraStatusChange.objects.filter(camera=camera).count() == 1


def test_a_duplicate_code_and_a_point_outside_are_refused(police_officer, police, point):
    _register(police_officer, police, point)
    with pytest.raises(ValidationError) as info:
        _register(police_officer, police, point)
    assert "code" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        _register(police_officer, police, (116.4, 39.9), code="33020300001320999002")
    assert "location" in info.value.message_dict


def test_gcj02_points_are_stored_as_wgs84(police_officer, police, point):
    glng, glat = wgs84_to_gcj02(*point)
    camera = _register(police_officer, police, (glng, glat), crs="gcj02")
    assert camera.lng == pytest.approx(point[0], abs=1e-6)
    assert camera.lat == pytest.approx(point[1], abs=1e-6)


def test_sharing_rules_and_bad_urls_name_their_field(police_officer, police, point):
    with pytest.raises(ValidationError) as info:
        _register(police_officer, police, point, sharing_type="not_shared")
    assert "legal_basis" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        _register(police_officer, police, point, sharing_condition="")
    assert "sharing_condition" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        _register(police_officer, police, point, rtsp_url="http://x/1")
    assert "rtsp_url" in info.value.message_dict


def test_only_the_owners_managers_write(data_officer, dispatcher, police, point):
    with pytest.raises(PermissionDenied):
        _register(data_officer, police, point)      # a data officer of 区民政局
    with pytest.raises(PermissionDenied):
        _register(dispatcher, police, point)        # no video.manage


def test_status_history_and_a_repeated_status_changes_nothing(police_officer, police_camera):
    count = CameraStatusChange.objects.filter(camera=police_camera).count()
    audits = AuditRecord.objects.filter(action="video.set_status").count()
    target = "fault" if police_camera.status != "fault" else "online"
    camera = actions.set_camera_status(police_camera, actor=police_officer, status=target,
                                       reason="镜头损坏")
    assert camera.status == target and camera.status_changed_at is not None
    actions.set_camera_status(camera, actor=police_officer, status=target)
    assert CameraStatusChange.objects.filter(camera=camera).count() == count + 1
    assert AuditRecord.objects.filter(action="video.set_status").count() == audits + 1
    with pytest.raises(ValidationError) as info:
        actions.set_camera_status(camera, actor=police_officer, status="broken")
    assert "status" in info.value.message_dict


def test_update_and_retire(police_officer, police_camera, dispatcher):
    camera = actions.update_camera(police_camera, actor=police_officer, name="新名称")
    assert Camera.objects.get(pk=camera.pk).name == "新名称"
    with pytest.raises(ValidationError) as info:
        actions.update_camera(camera, actor=police_officer, code="1")
    assert "code" in info.value.message_dict
    with pytest.raises(ValidationError):
        actions.retire_camera(camera, actor=police_officer, reason="")
    actions.retire_camera(camera, actor=police_officer, reason="拆除")
    assert not Camera.objects.restrict(dispatcher, "view").filter(pk=camera.pk).exists()
    assert Camera.objects.restrict(police_officer, "change").filter(pk=camera.pk).exists()


def _usable(user, camera) -> bool:
    return Camera.objects.restrict(user, "view").filter(pk=camera.pk).exists()


def test_a_grant_to_a_department_and_its_revocation(police_officer, police, minzheng,
                                                    police_camera, data_officer):
    assert not _usable(data_officer, police_camera)
    grant = actions.grant_cameras(actor=police_officer, owner=police, camera=police_camera,
                                  department=minzheng, reason="民政走访核查")
    assert _usable(data_officer, police_camera)
    other = Camera.objects.filter(owner=police, sharing_type="conditional").exclude(
        pk=police_camera.pk).first()
    assert not _usable(data_officer, other)          # one camera, not all of them
    with pytest.raises(ValidationError) as info:
        actions.revoke_camera_grant(grant, actor=police_officer, reason="")
    assert "reason" in info.value.message_dict
    actions.revoke_camera_grant(grant, actor=police_officer, reason="事项已办结")
    assert not _usable(data_officer, police_camera)
    with pytest.raises(ValidationError) as info:
        actions.revoke_camera_grant(grant, actor=police_officer, reason="再次")
    assert "grant" in info.value.message_dict


def test_a_role_grant_of_all_conditional_cameras(police_officer, police, police_camera,
                                                 leader, grid_chief):
    assert not _usable(leader, police_camera)
    grant = actions.grant_cameras(actor=police_officer, owner=police, role="leader",
                                  reason="领导现场指挥")
    assert _usable(leader, police_camera)
    # The 网格长 holds no video.use by default: a grant never stands in for the permission.
    actions.grant_cameras(actor=police_officer, owner=police, role="grid_chief",
                          reason="网格巡查")
    assert not _usable(grid_chief, police_camera)
    actions.revoke_camera_grant(grant, actor=police_officer, reason="指挥结束")
    assert not _usable(leader, police_camera)


def test_the_command_room_uses_police_cameras_by_the_demos_role_grant(
        dispatcher, police_camera, police_officer, police):
    assert _usable(dispatcher, police_camera)
    grant = CameraGrant.objects.active().get(owner=police, grantee_role="dispatcher",
                                             camera__isnull=True)
    actions.revoke_camera_grant(grant, actor=police_officer, reason="测试撤销")
    assert not _usable(dispatcher, police_camera)


def test_grant_input_rules(police_officer, police, minzheng, zhifa_camera, police_camera):
    with pytest.raises(ValidationError) as info:
        actions.grant_cameras(actor=police_officer, owner=police, reason="x")
    assert "grantee" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        actions.grant_cameras(actor=police_officer, owner=police, role="no_such_role",
                              reason="x")
    assert "role" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        actions.grant_cameras(actor=police_officer, owner=police, camera=zhifa_camera,
                              department=minzheng, reason="x")
    assert "camera" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        actions.grant_cameras(actor=police_officer, owner=police, department=police,
                              reason="x")
    assert "department" in info.value.message_dict
    first = actions.grant_cameras(actor=police_officer, owner=police, camera=police_camera,
                                  department=minzheng, reason="x")
    again = actions.grant_cameras(actor=police_officer, owner=police, camera=police_camera,
                                  department=minzheng, reason="x")
    assert first.pk == again.pk


def test_not_shared_cameras_only_for_their_owner(hidden_camera, dispatcher, leader,
                                                 data_officer):
    from .support import make_officer

    for user in (dispatcher, leader, data_officer):
        assert not _usable(user, hidden_camera)
    water = make_officer("t_shuili", "D025", role="dept_handler")
    assert _usable(water, hidden_camera)


def test_unconditional_cameras_for_every_holder_of_video_use(zhifa_camera, dispatcher,
                                                             data_officer, grid_worker):
    assert _usable(dispatcher, zhifa_camera)
    assert _usable(data_officer, zhifa_camera)
    assert not _usable(grid_worker, zhifa_camera)   # no video.use
