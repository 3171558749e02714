"""Evidence rules (取证规则, issue 11 item 6): completion and verification need what the
event's class's rule asks for, as data an administrator edits, enforced for every caller."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.audit.models import AuditRecord
from gridgov.events import actions, evidence
from gridgov.events.choices import State
from gridgov.events.models import EvidenceRule, MajorCategory, MinorCategory

from .intake_support import offset
from .workflow_support import call, event_in, new_event, people, photo

pytestmark = pytest.mark.django_db
seed = importlib.import_module("gridgov.events.migrations.0012_seed_evidence_rules")


@pytest.fixture
def p(db):
    return people()


def _photo_message(exc):
    return exc.value.message_dict["attachments"][0]


def test_the_seeded_defaults_ask_a_photo_except_for_work_with_people():
    assert EvidenceRule.objects.filter(is_global=True, complete_photo=True,
                                       verify_photo=True, complete_place=False).count() == 1
    assert evidence.requirement(MinorCategory.objects.get(code="0102"), "complete").photo
    for code in ("1101", "1401", "1501", "3101"):  # disputes, petitions, people, livelihood
        need = evidence.requirement(MinorCategory.objects.get(code=code), "complete")
        assert not need.photo and need.source == "major"
    need = evidence.requirement(MinorCategory.objects.get(code="3105"), "verify")
    assert need.photo and need.source == "minor"  # 环境卫生诉求 is physical again


def test_completion_without_a_photo_is_refused_naming_the_field(p):
    event = event_in(State.IN_PROGRESS, p)
    with pytest.raises(ValidationError) as exc:
        call("complete", event, p, attachments=[])
    assert _photo_message(exc) == "本类事件处置完毕须上传现场照片。"
    event.refresh_from_db()
    assert event.state == State.IN_PROGRESS
    assert call("complete", event, p).state == State.COMPLETED  # the helper gives a photo


def test_a_recording_is_no_photo(p, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    mp3 = SimpleUploadedFile("a.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 64,
                             content_type="audio/mpeg")
    with pytest.raises(ValidationError) as exc:
        call("complete", event_in(State.IN_PROGRESS, p), p, attachments=[mp3])
    assert "attachments" in exc.value.message_dict


def test_verification_and_on_the_spot_need_their_photo_too(p):
    with pytest.raises(ValidationError) as exc:
        call("verify", event_in(State.COMPLETED, p), p, attachments=[])
    assert _photo_message(exc) == "本类事件核查须上传现场照片。"
    with pytest.raises(ValidationError):
        call("verify", event_in(State.COMPLETED, p), p, passed=False, remark="仍有垃圾",
             attachments=[])
    with pytest.raises(ValidationError) as exc:
        call("resolve_on_spot", new_event(p), p, attachments=[])
    assert _photo_message(exc) == "本类事件处置完毕须上传现场照片。"
    # The system (loaders, jobs) is held to the same rule.
    with pytest.raises(ValidationError):
        actions.complete_event(event_in(State.IN_PROGRESS, p), remark="done", actor=None)


def test_a_dispute_closes_without_a_photo(p):
    event = new_event(p, category="1101")
    for action in ("register", "file"):
        event = call(action, event, p)
    event = actions.dispatch_event(event, grid=True, actor=p["dispatcher"])
    event = call("claim", event, p, actor=p["worker"])
    event = call("complete", event, p, actor=p["worker"], attachments=[])
    assert call("verify", event, p, attachments=[]).state == State.CLOSED


def test_the_most_specific_rule_wins_and_each_change_is_audited(p):
    admin = p["sys_admin"]
    minor = MinorCategory.objects.get(code="0102")
    before = AuditRecord.objects.count()
    rule = actions.save_evidence_rule(actor=admin, major=minor.major, complete_photo=False,
                                      verify_photo=False)
    assert not evidence.requirement(minor, "complete").photo
    actions.save_evidence_rule(actor=admin, category=minor, complete_photo=True,
                               verify_photo=False)
    assert evidence.requirement(minor, "complete").photo
    assert not evidence.requirement(minor, "verify").photo
    records = list(AuditRecord.objects.order_by("id")[before:])
    assert [r.action for r in records] == ["events.evidence_rule_save"] * 2
    assert records[0].changes["complete_photo"][-1] is False
    actions.clear_evidence_rule(EvidenceRule.objects.get(category=minor), actor=admin)
    assert evidence.requirement(minor, "complete").source == "major"
    assert AuditRecord.objects.order_by("-id").first().action == "events.evidence_rule_clear"
    # Saving the same values again writes nothing.
    count = AuditRecord.objects.count()
    actions.save_evidence_rule(actor=admin, major=minor.major, complete_photo=False,
                               verify_photo=False)
    assert AuditRecord.objects.count() == count and rule.pk


def test_only_the_keepers_of_the_rules_change_them(p):
    with pytest.raises(PermissionDenied):
        actions.save_evidence_rule(actor=p["shift"], complete_photo=False)
    with pytest.raises(ValidationError) as exc:
        actions.save_evidence_rule(actor=p["sys_admin"], radius_m=3)
    assert "radius_m" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.clear_evidence_rule(EvidenceRule.objects.get(is_global=True),
                                    actor=p["sys_admin"])


def test_the_place_rule_checks_the_distance_and_keeps_the_place(p):
    actions.save_evidence_rule(actor=p["sys_admin"],
                               category=MinorCategory.objects.get(code="0102"),
                               complete_photo=True, complete_place=True, radius_m=100)
    event = event_in(State.IN_PROGRESS, p)
    with pytest.raises(ValidationError) as exc:
        call("complete", event, p)
    assert "lng" in exc.value.message_dict
    far = offset((event.lng, event.lat), metres_east=400)
    with pytest.raises(ValidationError) as exc:
        call("complete", event, p, lng=far[0], lat=far[1])
    assert "超出 100 米" in exc.value.message_dict["lng"][0]
    near = offset((event.lng, event.lat), metres_north=30)
    done = call("complete", event, p, lng=str(near[0]), lat=str(near[1]))
    assert done.state == State.COMPLETED
    record = AuditRecord.objects.filter(action="events.complete").order_by("-id").first()
    assert 20 <= record.changes["place_distance_m"][1] <= 40


def test_the_api_answers_400_on_attachments_and_shows_the_rule(p, api_as):
    event = event_in(State.IN_PROGRESS, p)
    api = api_as(p["handler"])
    detail = api.get(f"/api/events/{event.pk}/").json()
    assert detail["evidence"]["complete"]["photo_required"] is True
    assert detail["evidence"]["complete"]["hint"] == "必须上传现场照片"
    response = api.post(f"/api/events/{event.pk}/complete/", {"remark": "已清理"},
                        format="json")
    assert response.status_code == 400
    assert "attachments" in str(response.json())
    response = api.post(f"/api/events/{event.pk}/complete/",
                        {"remark": "已清理", "attachments": [photo()]}, format="multipart")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["state"] == State.COMPLETED


def test_the_completion_form_says_a_photo_is_required(p, client_as):
    event = event_in(State.IN_PROGRESS, p)
    page = client_as(p["handler"]).get(f"/events/{event.pk}/").content.decode()
    assert "现场照片(必须上传照片)" in page
    page = client_as(p["handler"]).get("/events/department/?queue=handling").content.decode()
    assert "(必须上传照片)" in page


def test_the_dispatch_form_names_and_preselects_the_default_department(p, client_as):
    event = event_in(State.FILED, p)
    default = event.category.default_department
    page = client_as(p["dispatcher"]).get(f"/events/{event.pk}/").content.decode()
    assert f'<option value="{default.code}" selected>' in page
    assert f"默认派往{default.name}" in page
    assert "---------" not in page
    queue = client_as(p["dispatcher"]).get("/events/command/?queue=to_dispatch")
    assert f"派遣至{default.name}" in queue.content.decode()


def test_ticking_the_grid_overrides_the_preselected_department(p, client_as):
    event = event_in(State.FILED, p)
    response = client_as(p["dispatcher"]).post(f"/events/{event.pk}/act/dispatch/", {
        "dispatch-version": event.version, "dispatch-to_grid": "on",
        "dispatch-department": event.category.default_department.code})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == State.DISPATCHED and event.department_id is None


def test_the_rules_page_is_for_their_keepers(p, client_as):
    assert client_as(p["shift"]).get("/events/catalog/evidence/").status_code == 403
    admin = client_as(p["sys_admin"])
    page = admin.get("/events/catalog/evidence/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "邻里纠纷" in text and "沿用大类" in text and "沿用全局默认" in text
    major = MajorCategory.objects.get(code="01")
    response = admin.post("/events/catalog/evidence/major/01/", {
        "complete_photo": "on", "verify_photo": "on", "verify_place": "on", "radius_m": 150})
    assert response.status_code == 302
    rule = EvidenceRule.objects.get(major=major)
    assert rule.verify_place and not rule.complete_place and rule.radius_m == 150
    bad = admin.post("/events/catalog/evidence/minor/0102/", {"radius_m": 1})
    assert bad.status_code == 400
    admin.post("/events/catalog/evidence/major/01/", {"clear": "1"})
    assert not EvidenceRule.objects.filter(major=major).exists()
    assert admin.get("/events/catalog/evidence/minor/9999/").status_code == 404


def test_the_seed_migration_is_audited_and_reversible():
    before = EvidenceRule.objects.count()
    seed.backward(apps, None)
    assert EvidenceRule.objects.count() == 0
    assert AuditRecord.objects.order_by("-id").first().action == "events.evidence_rule_seed"
    assert evidence.requirement(MinorCategory.objects.get(code="1101"), "complete").source \
        == "built_in"
    seed.forward(apps, None)
    assert EvidenceRule.objects.count() == before
