import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.audit.models import AuditRecord
from gridgov.events.actions import intake
from gridgov.events.choices import Source, State
from gridgov.events.models import Event, EventAttachment
from gridgov.moderation import actions as moderation
from gridgov.moderation.models import LexiconTerm, ModerationCase

from .intake_support import OUTSIDE, category, jpeg_with_gps, point_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def lexicon():
    LexiconTerm.objects.all().delete()
    moderation.create_term(term="代开发票", category="illegal", actor=None)
    moderation.create_term(term="狗官", category="abuse", actor=None)


def resident(point, **extra):
    values = dict(description="小区门口垃圾堆了三天没人清理", lng=point[0], lat=point[1],
                  address="鼓楼街道某小区门口", reporter_phone="13812345678")
    values.update(extra)
    return intake.report_by_resident(**values)


# --- resident reports and moderation --------------------------------------------------------


def test_clean_resident_report_passes_into_the_loop(lexicon, gulou_grid):
    result = resident(point_in(gulou_grid))
    event = result.event
    assert result.created and not result.held
    assert event.state == State.REPORTED and event.source == Source.CITIZEN
    assert event.grid_id == gulou_grid.pk and event.reporter_user_id is None
    assert not ModerationCase.objects.filter(event=event).exists()


def test_filter_hit_holds_the_report_with_matched_terms(lexicon, gulou_grid):
    result = resident(point_in(gulou_grid), description="门口有人贴代开发票的广告,这些狗官不管")
    event = Event.objects.get(pk=result.event.pk)
    assert result.held and result.held_terms == ["代开发票", "狗官"]
    assert event.state == State.HELD
    assert "代开发票" in event.hold_reason
    case = ModerationCase.objects.get(event=event)
    assert case.terms == ["代开发票", "狗官"]
    assert {h["field"] for h in case.hits} == {"description"}
    text = event.description
    assert [text[h["start"]:h["end"]] for h in case.hits] == ["代开发票", "狗官"]
    assert AuditRecord.objects.filter(action="moderation.hold",
                                      object_id=str(case.pk)).exists()


def test_hit_in_address_also_holds(lexicon, gulou_grid):
    result = resident(point_in(gulou_grid), address="狗官路 1 号")
    assert result.event.state == State.HELD


def test_lexicon_edit_takes_effect_on_the_next_report(lexicon, gulou_grid, sys_admin):
    first = resident(point_in(gulou_grid), description="楼下有人卖假药")
    assert first.event.state == State.REPORTED
    moderation.create_term(term="卖假药", category="illegal", actor=sys_admin)
    second = resident(point_in(gulou_grid), description="楼下有人卖假药")
    assert second.event.state == State.HELD


def test_reviewer_approves_and_rejects_audited(lexicon, gulou_grid, intake_clerk):
    held = resident(point_in(gulou_grid), description="代开发票的小广告贴满了电线杆").event
    case = ModerationCase.objects.get(event=held)
    moderation.decide_case(case, approve=True, actor=intake_clerk, remark="举报小广告,正常诉求")
    held.refresh_from_db()
    case.refresh_from_db()
    assert held.state == State.REPORTED and case.status == "approved"
    assert case.decided_by == intake_clerk
    assert AuditRecord.objects.filter(action="moderation.approve", object_id=str(case.pk),
                                      actor_name=intake_clerk.username).exists()
    assert AuditRecord.objects.filter(action="events.release_held",
                                      object_id=str(held.pk)).exists()

    other = resident(point_in(gulou_grid), description="你们这些狗官").event
    case2 = ModerationCase.objects.get(event=other)
    with pytest.raises(ValidationError) as exc:
        moderation.decide_case(case2, approve=False, actor=intake_clerk)
    assert "remark" in exc.value.message_dict
    moderation.decide_case(case2, approve=False, actor=intake_clerk, remark="纯辱骂,无诉求")
    other.refresh_from_db()
    assert other.state == State.VOID  # kept on record, never deleted
    with pytest.raises(ValidationError):
        moderation.decide_case(case2, approve=True, actor=intake_clerk)


def test_only_reviewers_in_scope_decide(lexicon, gulou_grid, other_street, grid_worker,
                                        dept_handler):
    held = resident(point_in(gulou_grid), description="代开发票").event
    case = ModerationCase.objects.get(event=held)
    for user in (grid_worker, dept_handler):
        with pytest.raises(PermissionDenied):
            moderation.decide_case(case, approve=True, actor=user)


def test_resident_contact_is_optional_and_validated(lexicon, gulou_grid):
    result = resident(point_in(gulou_grid), reporter_phone="")
    assert result.event.reporter_phone == ""
    with pytest.raises(ValidationError) as exc:
        resident(point_in(gulou_grid), reporter_phone="12345")
    assert "reporter_phone" in exc.value.message_dict


# --- location -------------------------------------------------------------------------------


def test_outside_district_is_an_error_on_location(gulou_grid):
    with pytest.raises(ValidationError) as exc:
        resident(OUTSIDE)
    assert exc.value.message_dict["location"] == ["该位置不在本辖区范围内"]
    assert not Event.objects.filter(description="小区门口垃圾堆了三天没人清理").exists()


def test_gcj02_point_is_converted_and_stored_in_wgs84(gulou_grid):
    wgs = point_in(gulou_grid)
    gcj = point_in(gulou_grid, crs="gcj02")
    event = resident(gcj, crs="gcj02").event
    assert abs(event.lng - wgs[0]) < 1e-7 and abs(event.lat - wgs[1]) < 1e-7
    assert event.grid_id == gulou_grid.pk


@pytest.mark.parametrize("lng,lat,crs,field", [
    ("abc", 29.8, "wgs84", "location"), (None, None, "wgs84", "location"),
    (121.5, 29.8, "bd09", "crs"), (999, 29.8, "wgs84", "location"),
])
def test_bad_point_input(lng, lat, crs, field, gulou_grid):
    with pytest.raises(ValidationError) as exc:
        intake.report_by_resident(description="x", lng=lng, lat=lat, crs=crs)
    assert field in exc.value.message_dict


# --- channels and roles ---------------------------------------------------------------------


def test_grid_worker_report_with_photo(grid_worker, gulou_grid):
    lng, lat = point_in(gulou_grid)
    photo = SimpleUploadedFile("site.jpg", jpeg_with_gps(), "image/jpeg")
    result = intake.report_by_grid_worker(actor=grid_worker, description="人行道地砖松动",
                                          lng=lng, lat=lat, category=category("0109"),
                                          uploads=[photo])
    event = result.event
    assert event.source == Source.GRID_PATROL and event.reporter_user == grid_worker
    assert event.category.code == "0109"
    files = EventAttachment.objects.filter(event=event).order_by("public")
    assert [(f.kind, f.public) for f in files] == [("photo", False), ("photo", True)]
    public = files[1]
    public.file.open("rb")
    assert b"TestCam" not in public.file.read()
    public.file.close()


def test_grid_worker_text_is_not_screened(lexicon, grid_worker, gulou_grid):
    lng, lat = point_in(gulou_grid)
    result = intake.report_by_grid_worker(actor=grid_worker, description="电线杆贴有代开发票小广告",
                                          lng=lng, lat=lat)
    assert result.event.state == State.REPORTED


@pytest.mark.parametrize("func,who", [
    ("report_by_grid_worker", "intake_clerk"), ("record_leader_instruction", "grid_worker"),
    ("record_video_patrol", "grid_worker"), ("transfer_from_department", "grid_worker"),
])
def test_channel_roles(request, func, who, gulou_grid):
    user = request.getfixturevalue(who)
    lng, lat = point_in(gulou_grid)
    kwargs = dict(actor=user, description="测试", lng=lng, lat=lat)
    if func == "record_video_patrol":
        kwargs["camera_code"] = "33020300001320000001"
    with pytest.raises(PermissionDenied):
        getattr(intake, func)(**kwargs)


def test_leader_instruction_and_department_transfer(leader, dept_handler, gulou_grid):
    lng, lat = point_in(gulou_grid)
    a = intake.record_leader_instruction(actor=leader, description="请尽快处理鼓楼积水",
                                         lng=lng, lat=lat, urgency="urgent").event
    assert (a.source, a.urgency, a.reporter_user) == (Source.LEADER_INSTRUCTION, "urgent", leader)
    b = intake.transfer_from_department(actor=dept_handler, description="移交:占道经营",
                                        lng=lng, lat=lat, external_id="ZF-2026-1").event
    assert b.source == Source.DEPT_TRANSFER and b.external_id == "ZF-2026-1"
    assert b.reporter_name == dept_handler.department.name[:50]


# --- GB/T 28181 camera codes ----------------------------------------------------------------


@pytest.mark.parametrize("code", ["33020300001320000001", "33020300001310000007",
                                  "3302 0300 0011 8100 0001", "11000000001120000001"])
def test_valid_camera_codes(code):
    assert intake.validate_camera_code(code) == code.replace(" ", "")


@pytest.mark.parametrize("code,reason", [
    ("", "须填写"), ("3302030000132000001", "20 位"), ("3302030000132000000A", "20 位"),
    ("99020300001320000001", "省级"), ("33020300002000000001", "设备类型"),
    ("33020300001140000001", "设备类型"), ("33020300001330000001", "设备类型"),
])
def test_invalid_camera_codes(code, reason):
    with pytest.raises(ValidationError) as exc:
        intake.validate_camera_code(code)
    assert reason in exc.value.message_dict["camera_code"][0]


def test_video_patrol_stores_the_camera_code(dispatcher, gulou_grid):
    lng, lat = point_in(gulou_grid)
    event = intake.record_video_patrol(actor=dispatcher, camera_code="33020300001320000001",
                                       description="监控发现路口机动车乱停放", lng=lng,
                                       lat=lat).event
    assert event.source == Source.VIDEO_PATROL and event.camera_code == "33020300001320000001"
    with pytest.raises(ValidationError) as exc:
        intake.record_video_patrol(actor=dispatcher, camera_code="123", description="x",
                                   lng=lng, lat=lat)
    assert "camera_code" in exc.value.message_dict


# --- idempotency ----------------------------------------------------------------------------


def test_same_key_returns_the_same_event(grid_worker, gulou_grid):
    lng, lat = point_in(gulou_grid)
    kwargs = dict(actor=grid_worker, description="井盖缺失", lng=lng, lat=lat,
                  idempotency_key="abc-123")
    first = intake.report_by_grid_worker(**kwargs)
    again = [intake.report_by_grid_worker(**kwargs) for _ in range(3)]
    assert first.created and not any(r.created for r in again)
    assert {r.event.pk for r in again} == {first.event.pk}
    assert Event.objects.filter(description="井盖缺失").count() == 1
    assert first.event.idempotency_key == f"u{grid_worker.pk}:abc-123"


def test_same_key_different_body_is_refused(grid_worker, gulou_grid):
    lng, lat = point_in(gulou_grid)
    intake.report_by_grid_worker(actor=grid_worker, description="井盖缺失", lng=lng, lat=lat,
                                 idempotency_key="k1")
    with pytest.raises(intake.IdempotencyMismatch):
        intake.report_by_grid_worker(actor=grid_worker, description="另一件事", lng=lng,
                                     lat=lat, idempotency_key="k1")


def test_keys_are_per_principal(grid_worker, grid_worker2, gulou_grid):
    lng, lat = point_in(gulou_grid)
    a = intake.report_by_grid_worker(actor=grid_worker, description="同一把钥匙", lng=lng,
                                     lat=lat, idempotency_key="same")
    b = intake.report_by_grid_worker(actor=grid_worker2, description="同一把钥匙", lng=lng,
                                     lat=lat, idempotency_key="same")
    assert a.event.pk != b.event.pk and b.created


def test_bad_idempotency_key(grid_worker, gulou_grid):
    lng, lat = point_in(gulou_grid)
    with pytest.raises(ValidationError) as exc:
        intake.report_by_grid_worker(actor=grid_worker, description="x", lng=lng, lat=lat,
                                     idempotency_key="有中文")
    assert "Idempotency-Key" in exc.value.message_dict


def test_held_retry_does_not_open_a_second_case(lexicon, gulou_grid):
    point = point_in(gulou_grid)
    first = resident(point, description="代开发票", form_token="t-1")
    second = resident(point, description="代开发票", form_token="t-1")
    assert first.event.pk == second.event.pk and not second.created
    assert second.held_terms == ["代开发票"]
    assert ModerationCase.objects.filter(event=first.event).count() == 1


# --- contact masking ------------------------------------------------------------------------


def test_contact_is_masked_for_all_staff(gulou_grid, intake_clerk, grid_worker, leader,
                                         dept_handler):
    # Even those who call back see the mask until they reveal it (reason, audit record).
    event = resident(point_in(gulou_grid), reporter_phone="13812345678").event
    for user in (intake_clerk, grid_worker, leader, dept_handler):
        assert intake.contact_display(event, user) == "138****5678"
    assert intake.can_see_contact(intake_clerk, event)
    assert not intake.can_see_contact(grid_worker, event)


def test_open311_channel_needs_its_permission_and_is_idempotent(dept_admin, grid_worker,
                                                               gulou_grid):
    from gridgov.accounts import actions as account_actions
    from gridgov.accounts.api.authentication import ApiClient

    key, _raw = account_actions.issue_api_key(dept_admin.department, name="311", actor=None)
    lng, lat = point_in(gulou_grid)
    request = dict(token="t-311-1", description="井盖缺失", lng=lng, lat=lat,
                   reporter_phone="13800001111")
    with pytest.raises(PermissionDenied):
        intake.record_open311(actor=grid_worker, **request)
    first = intake.record_open311(actor=ApiClient(key), **request)
    again = intake.record_open311(actor=ApiClient(key), **request)
    assert first.created and not again.created and again.event.pk == first.event.pk
    assert first.event.source == "open311" and first.event.external_id == "t-311-1"
