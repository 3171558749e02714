"""gridgov.events.actions: every allowed and forbidden transition of the workflow table,
validation, scope, optimistic concurrency, the trace and its audit chain."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.core.access import get_scope
from gridgov.demo.users import GULOU_GRID
from gridgov.events import actions, trace
from gridgov.events.choices import EventLevel, RequestStatus, State
from gridgov.events.models import Event, EventRequest, EventStep
from gridgov.events.signals import event_transition
from gridgov.events.workflow import REPORTER, TRANSITIONS, role_allowed

from .workflow_support import call, event_in, new_event, people, point_in, prepare

pytestmark = pytest.mark.django_db

ACTIONS = [a for a in TRANSITIONS if a != "merge"]
ALLOWED = [(a, s) for a in ACTIONS for s in sorted(TRANSITIONS[a].sources)]
FORBIDDEN = [(a, s) for a in ACTIONS for s in State.values if s not in TRANSITIONS[a].sources]


@pytest.fixture
def p(db):
    return people()


def _chain(event):
    return AuditRecord.objects.filter(chain_key=f"events.event:{event.pk}").count()


@pytest.mark.parametrize("action, state", ALLOWED)
def test_every_allowed_transition(p, action, state):
    event = prepare(action, event_in(state, p), p)
    records, version = _chain(event), event.version
    moved = call(action, event, p)
    assert moved.state in {t if t is not None else state for t in TRANSITIONS[action].targets}
    assert moved.version == version + 1
    assert _chain(event) == records + 1
    step = EventStep.objects.get(event=event, seq=records + 1)
    assert step.action == action
    assert step.to_state == moved.state
    stored = Event.objects.get(pk=event.pk)
    assert (stored.state, stored.version) == (moved.state, moved.version)


@pytest.mark.parametrize("action, state", FORBIDDEN)
def test_every_forbidden_state_is_a_conflict(p, action, state):
    event = event_in(state, p)
    version = event.version
    with pytest.raises(actions.Conflict) as info:
        call(action, event, p)
    assert info.value.event.state == state
    assert Event.objects.get(pk=event.pk).version == version


@pytest.mark.parametrize("action", [a for a in ACTIONS if TRANSITIONS[a].scope != REPORTER])
def test_every_role_outside_the_table_is_refused(p, action):
    state = sorted(TRANSITIONS[action].sources)[0]
    event = prepare(action, event_in(state, p), p)
    refused = 0
    for user in p.values():
        if role_allowed(TRANSITIONS[action], get_scope(user)):
            continue
        with pytest.raises(PermissionDenied):
            call(action, event, p, actor=user)
        refused += 1
    assert refused >= 8  # the three administrators at least, and most other duties
    assert Event.objects.get(pk=event.pk).version == event.version


def test_evaluation_only_by_the_reporter_or_a_clerk(p):
    event = event_in(State.CLOSED, p)
    with pytest.raises(PermissionDenied):
        call("evaluate", event, p, actor=p["handler"])
    done = call("evaluate", event, p, actor=p["clerk"], score=5, comment="满意")
    assert (done.evaluation_score, done.evaluation_comment) == (5, "满意")
    with pytest.raises(actions.Conflict):  # once
        call("evaluate", done, p)


# --- scope ---------------------------------------------------------------------------------


def test_grid_worker_of_another_grid_cannot_verify(p):
    event = event_in(State.COMPLETED, p)
    with pytest.raises(PermissionDenied):
        call("verify", event, p, actor=p["worker2"])
    assert call("verify", event, p, actor=p["chief"]).state == State.CLOSED


def test_another_department_cannot_claim(p):
    event = event_in(State.FILED, p)
    event = actions.dispatch_event(event, "D016", actor=p["dispatcher"])
    assert event.department.code == "D016"
    with pytest.raises(PermissionDenied):
        call("claim", event, p)


def test_command_room_of_another_street_cannot_act(p):
    lng, lat = point_in("330203001001001")
    event = actions.report_event(source="citizen", description="南门街道的事件", lng=lng,
                                 lat=lat, category="0102")
    with pytest.raises(PermissionDenied):
        call("register", event, p)


def test_returned_event_stays_visible_to_the_department(p):
    event = event_in(State.DISPATCHED, p)
    returned = call("return", event, p)
    assert returned.state == State.FILED and returned.department_id is None
    assert Event.objects.restrict(p["handler"]).filter(pk=event.pk).exists()
    assert returned.handle_deadline is None and returned.stage_deadline is not None


# --- concurrency ----------------------------------------------------------------------------


def test_stale_version_is_a_conflict(p):
    event = event_in(State.FILED, p)
    version = event.version
    actions.dispatch_event(event, actor=p["dispatcher"], expected_version=version)
    with pytest.raises(actions.Conflict) as info:
        actions.void_event(event, reason="重复", actor=p["shift"], expected_version=version)
    assert info.value.event.state == State.DISPATCHED
    assert info.value.event.version == version + 1


def test_lost_update_is_a_conflict(p):
    """Two people read the same version; the second write finds zero rows and loses."""
    event = event_in(State.DISPATCHED, p)
    stale = Event.objects.get(pk=event.pk)
    call("claim", event, p)
    with pytest.raises(actions.Conflict):
        actions.base.move(stale, state=State.FILED)
    assert Event.objects.get(pk=event.pk).state == State.IN_PROGRESS


# --- rules --------------------------------------------------------------------------------


def test_reasons_are_required(p):
    event = event_in(State.DISPATCHED, p)
    for action in ("return", "request_suspension"):
        with pytest.raises(ValidationError) as info:
            call(action, event, p, reason="  ")
        assert "reason" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        call("request_extension", event, p, days=0)
    assert "days" in info.value.message_dict


def test_filing_needs_a_category(p):
    event = new_event(p, category=None)
    call("register", event, p)
    with pytest.raises(ValidationError) as info:
        call("file", event, p)
    assert "category" in info.value.message_dict
    assert call("file", event, p, category="0102").category.code == "0102"


def test_dispatch_to_default_department_or_grid(p):
    event = call("dispatch", event_in(State.FILED, p), p)
    assert event.department.code == "D034"
    assert event.handle_deadline is not None and event.stage_deadline == event.handle_deadline
    grid_event = actions.dispatch_event(event_in(State.FILED, p), grid=True,
                                        actor=p["dispatcher"])
    assert grid_event.department is None
    claimed = call("claim", grid_event, p, actor=p["worker"])
    assert claimed.assignee == p["worker"]


def test_dispatch_without_default_department_asks_for_one(p, sys_admin):
    from gridgov.events.models import MajorCategory

    category = actions.create_category(actor=sys_admin, code="0198", name="测试小类",
                                       major=MajorCategory.objects.get(code="01"))
    event = new_event(p, category=category.code)
    call("register", event, p)
    call("file", event, p)
    with pytest.raises(ValidationError) as info:
        call("dispatch", event, p)
    assert "department" in info.value.message_dict


def test_overdue_completion_needs_an_explanation(p):
    event = event_in(State.IN_PROGRESS, p)
    Event.objects.filter(pk=event.pk).update(
        handle_deadline=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ValidationError) as info:
        call("complete", event, p)
    assert "overdue_reason" in info.value.message_dict
    done = call("complete", event, p, overdue_reason="连日降雨无法施工")
    assert done.overdue_reason == "连日降雨无法施工"


def test_extension_moves_the_handling_deadline(p):
    event = call("request_extension", event_in(State.IN_PROGRESS, p), p, days=2)
    before = event.handle_deadline
    decided = call("decide_extension", event, p)
    assert decided.handle_deadline > before
    request = EventRequest.objects.get(event=event)
    assert request.status == RequestStatus.APPROVED and request.decided_by == p["shift"]


def test_refusal_needs_a_remark_and_keeps_the_state(p):
    event = call("request_suspension", event_in(State.IN_PROGRESS, p), p)
    with pytest.raises(ValidationError):
        call("decide_suspension", event, p, approve=False)
    kept = call("decide_suspension", event, p, approve=False, remark="请继续处置")
    assert kept.state == State.IN_PROGRESS
    assert EventRequest.objects.get(event=event).status == RequestStatus.REJECTED


def test_failed_verification_is_rework(p):
    event = event_in(State.COMPLETED, p)
    rework = call("verify", event, p, passed=False, remark="仍有垃圾")
    assert rework.state == State.IN_PROGRESS
    assert EventStep.objects.filter(event=event, action="verify",
                                    to_state=State.IN_PROGRESS).count() == 1


def test_resolved_on_the_spot_is_still_verified(p):
    event = call("resolve_on_spot", new_event(p), p)
    assert event.state == State.COMPLETED and event.resolved_on_spot
    assert call("verify", event, p, actor=p["chief"]).state == State.CLOSED


def test_escalation_goes_up_to_the_district(p):
    event = new_event(p)
    assert call("escalate", event, p).level == EventLevel.STREET
    assert call("escalate", event, p).level == EventLevel.DISTRICT
    with pytest.raises(actions.Conflict):
        call("escalate", event, p)


def test_supervision_marks_the_event(p):
    event = call("supervise", event_in(State.DISPATCHED, p), p)
    assert event.supervised
    with pytest.raises(PermissionDenied):
        call("supervise", event, p, actor=p["shift"])


# --- intake ---------------------------------------------------------------------------------


def test_report_assigns_grid_and_deadline(p):
    event = new_event(p, urgency="urgent")
    assert event.area_code == "330203005001001" and event.grid.code == event.area_code
    assert event.number.startswith("E") and event.state == State.REPORTED
    assert (event.stage_deadline - event.created_at) == dt.timedelta(minutes=10)


def test_report_outside_the_district(p):
    with pytest.raises(ValidationError) as info:
        actions.report_event(source="citizen", description="北京", lng=116.397, lat=39.909)
    assert "location" in info.value.message_dict


def test_idempotency_key_creates_one_event(p):
    first = new_event(p, idempotency_key="abc-1")
    again = new_event(p, idempotency_key="abc-1")
    assert first.pk == again.pk
    assert Event.objects.filter(idempotency_key="abc-1").count() == 1


def test_report_costs_five_queries(p, django_assert_max_num_queries):
    """Guard against intake waste: four INSERTs (event, chain head at seq 1, audit record,
    step) and the number, which embeds the id: on PostgreSQL the id is drawn from its
    sequence first (one SELECT nextval), elsewhere one UPDATE after the INSERT. The grid comes
    from the point index and the class from the process's catalogue cache, without a query;
    no chain head lookup, no savepoint."""
    from django.db import connection

    from gridgov.audit.models import ChainHead

    lng, lat = point_in(GULOU_GRID)
    actions.report_event(source="grid_patrol", description="预热", lng=lng, lat=lat,
                         category="0102", actor=p["worker"])
    with django_assert_max_num_queries(5) as captured:
        event = actions.report_event(source="grid_patrol", description="人行道旁暴露垃圾",
                                     lng=lng, lat=lat, category="0102", actor=p["worker"])
    sql = [q["sql"].split(" ", 1)[0] for q in captured.captured_queries]
    postgres = connection.vendor == "postgresql"
    assert sql.count("INSERT") == 4, sql
    assert (sql.count("UPDATE"), sql.count("SELECT")) == ((0, 1) if postgres else (1, 0)), sql
    assert not any(q.startswith("SAVEPOINT") for q in sql), sql
    stored = Event.objects.get(pk=event.pk)
    assert stored.number == event.number == actions.report._next_number(event.pk, event.created_at)
    head = ChainHead.objects.get(chain_key=f"events.event:{event.pk}")
    rec = AuditRecord.objects.get(chain_key=head.chain_key)
    assert (head.seq, head.last_hash) == (1, rec.hash) and rec.seq == 1
    assert (stored.grid.code, stored.category.code) == (GULOU_GRID, "0102")


def test_report_numbers_follow_the_ids_and_the_chain_verifies(p):
    from gridgov.audit.verify import verify_all

    events = [new_event(p) for _ in range(3)] + [new_event(p, idempotency_key="num-1")]
    events.append(new_event(p, hold=True))
    ids = [e.pk for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for event in events:
        stored = Event.objects.get(pk=event.pk)
        assert stored.number == event.number == actions.report._next_number(event.pk,
                                                                     event.created_at)
    # The chains started at seq 1 go on as usual.
    call("register", events[0], p)
    assert _chain(events[0]) == 2
    assert verify_all().ok


def test_held_report_released_or_voided(p):
    held = new_event(p, hold=True)
    assert held.state == State.HELD and held.stage_deadline is None
    assert call("release_held", held, p).state == State.REPORTED
    rejected = call("release_held", new_event(p, hold=True), p, approve=False, remark="有害")
    assert rejected.state == State.VOID


def test_merge(p):
    primary, duplicate = new_event(p), new_event(p)
    actions.merge_events(primary, [duplicate], actor=p["clerk"], remark="同一问题")
    duplicate.refresh_from_db()
    assert duplicate.state == State.MERGED and duplicate.merged_into_id == primary.pk
    assert list(primary.duplicates.all()) == [duplicate]
    with pytest.raises(PermissionDenied):
        actions.merge_events(primary, [new_event(p)], actor=p["handler"])


def test_phone_is_masked_in_the_audit_record(p):
    lng, lat = point_in()
    event = actions.report_event(source="citizen", description="垃圾", lng=lng, lat=lat,
                                 reporter_phone="13812345678")
    rec = AuditRecord.objects.get(chain_key=f"events.event:{event.pk}", seq=1)
    assert rec.changes["reporter_phone"] == [None, "138****5678"]
    assert "13812345678" not in str(rec.changes)


# --- trace ----------------------------------------------------------------------------------


def test_signal_sent_on_commit(p, django_capture_on_commit_callbacks):
    seen = []

    def listener(sender, event, action, actor, data, **kwargs):
        seen.append((event.pk, action, actor, data))

    event_transition.connect(listener)
    try:
        event = event_in(State.FILED, p)
        with django_capture_on_commit_callbacks(execute=True):
            call("dispatch", event, p)
    finally:
        event_transition.disconnect(listener)
    assert seen[-1][:3] == (event.pk, "dispatch", p["dispatcher"])
    assert seen[-1][3]["department_id"] == event.category.default_department_id


def test_timeline_is_the_audit_chain(p):
    event = event_in(State.CLOSED, p)
    entries = trace.timeline(event)
    assert [e.action for e in entries] == [
        "report", "register", "file", "dispatch", "claim", "complete", "verify"]
    assert entries[3].actor_name == p["dispatcher"].get_username()
    assert entries[3].role == "派遣员"
    assert entries[-1].to_state == State.CLOSED and all(e.consistent for e in entries)
    # An edited step index is flagged against its audit record.
    EventStep.objects.filter(event=event, seq=7).update(to_state=State.IN_PROGRESS)
    assert not trace.timeline(event)[-1].consistent


def test_audit_verify_detects_an_edited_step(p):
    from gridgov.audit.tests.tamper import tamper
    from gridgov.audit.verify import verify_all

    event = event_in(State.DISPATCHED, p)
    rec = AuditRecord.objects.get(chain_key=f"events.event:{event.pk}", seq=4)
    assert verify_all().ok
    tamper("UPDATE audit_auditrecord SET remark = %s WHERE id = %s", ["改过的意见", rec.pk])
    result = verify_all()
    assert not result.ok
    assert result.broken.record_id == rec.pk


def test_attachments_are_hashed_into_the_step(p, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from .intake_support import jpeg_with_gps

    settings.MEDIA_ROOT = tmp_path
    event = event_in(State.IN_PROGRESS, p)
    photo = SimpleUploadedFile("after.jpg", jpeg_with_gps(), content_type="image/jpeg")
    done = call("complete", event, p, attachments=[photo])
    attachment = done.attachments.get(public=False)
    rec = AuditRecord.objects.get(chain_key=f"events.event:{event.pk}", seq=attachment.step)
    assert rec.changes["attachments"][1][0]["sha256"] == attachment.sha256
    assert trace.timeline(done)[-1].attachments[0]["intact"]
    # Like an intake photo, a completion photo gets a public copy without its position.
    public = done.attachments.get(public=True)
    with Image.open(public.file.open("rb")) as img:
        assert not img.getexif()
    for bad in (SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload"),
                SimpleUploadedFile("fake.jpg", b"\xff\xd8\xff not a jpeg", "image/jpeg")):
        with pytest.raises(ValidationError) as info:
            call("complete", event_in(State.IN_PROGRESS, p), p, attachments=[bad])
        assert "attachments" in info.value.message_dict


def test_timeline_of_steps_without_a_person(p):
    """A report with no person behind it is the reporter's (a resident's channel); a deadline
    alert is the system's."""
    lng, lat = point_in()
    event = actions.report_event(source="open311", description="系统来的", lng=lng, lat=lat)
    (entry,) = trace.timeline(event)
    assert (entry.actor_name, entry.role) == ("上报人", "")
    Event.objects.filter(pk=event.pk).update(
        stage_deadline=timezone.now() - dt.timedelta(minutes=5))
    actions.mark_deadline(Event.objects.get(pk=event.pk), kind="overdue")
    alert = trace.timeline(event)[-1]
    assert (alert.action, alert.actor_name, alert.role) == ("overdue", "系统", "系统")


def test_undecided_requests_lapse_when_the_case_leaves_handling(p):
    """Completed while an extension and a suspension wait: both lapse, the step's audit
    record says so, and after rework the handler may ask again."""
    from gridgov.events.choices import RequestKind

    event = call("request_extension", event_in(State.IN_PROGRESS, p), p)
    event = call("request_suspension", event, p)
    done = call("complete", event, p)
    requests = EventRequest.objects.filter(event=done)
    assert sorted(requests.values_list("status", flat=True)) == [RequestStatus.LAPSED] * 2
    assert all(r.decided_at is not None and r.decision_remark for r in requests)
    rec = AuditRecord.objects.filter(chain_key=f"events.event:{done.pk}").last()
    assert rec.changes["lapsed_requests"] == [None, sorted(RequestKind.values)]
    reworked = call("verify", done, p, passed=False, remark="仍有垃圾")
    assert reworked.state == State.IN_PROGRESS
    again = call("request_extension", reworked, p)
    assert EventRequest.objects.filter(event=again, status=RequestStatus.PENDING).count() == 1


def test_moving_within_handling_keeps_requests(p):
    event = call("request_extension", event_in(State.DISPATCHED, p), p)
    claimed = call("claim", event, p)
    assert EventRequest.objects.get(event=claimed).status == RequestStatus.PENDING
    decided = call("decide_extension", claimed, p)
    assert EventRequest.objects.get(event=decided).status == RequestStatus.APPROVED


def test_perform_reads_the_inputs_the_table_names(p):
    """``actions.perform`` passes each input of ``Transition.needs`` to the verb, coerced by
    its kind (form strings for booleans), so pages and the API need no code per action."""
    event = event_in(State.FILED, p)
    moved = actions.perform("dispatch", event, actor=p["dispatcher"],
                            data={"to_grid": "1", "department": "", "remark": "属地"})
    assert moved.state == State.DISPATCHED and moved.department_id is None
    moved = actions.perform("claim", moved, actor=p["worker"], data={})
    moved = actions.perform("request_extension", moved, actor=p["worker"],
                            data={"days": "2", "reason": "需要协调"},
                            expected_version=moved.version)
    request = EventRequest.objects.get(event=event, status=RequestStatus.PENDING)
    assert request.days == 2 and request.reason == "需要协调"
    with pytest.raises(ValidationError) as info:
        actions.perform("merge", moved, actor=p["clerk"], data={})
    assert "action" in info.value.message_dict
