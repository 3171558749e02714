"""The task verbs: assignment (named, nearest on duty), the state machine, versions, scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.audit.models import AuditRecord
from gridgov.notifications.models import Notification
from gridgov.tasks import actions
from gridgov.tasks.choices import AssignMode, StepAction, TaskState
from gridgov.tasks.models import Task

from .support import GRID1, grid_point, jpeg, make_task, offset

pytestmark = pytest.mark.django_db


def photo(name="site.jpg"):
    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")


def test_named_assignment_records_history_audit_and_tells_the_worker(
        dispatcher, grid_worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(dispatcher, grid_worker, due_at=timezone.now() + timezone.timedelta(
            hours=4))
    assert task.state == TaskState.ASSIGNED and task.area_code == GRID1
    assert task.assign_mode == AssignMode.NAMED and task.version == 1
    assert [s.action for s in task.steps.all()] == [StepAction.ASSIGN]
    assert AuditRecord.objects.filter(action="tasks.assign", object_id=str(task.pk)).exists()
    assert Notification.objects.filter(user=grid_worker, text__contains="采集新住户信息",
                                       kind="dispatch").exists()


def test_nearest_on_duty_gets_the_task_with_its_distance(
        dispatcher, grid_worker, grid_worker2, on_duty):
    calls = on_duty((grid_worker, 2500), (grid_worker2, 120))
    task = make_task(dispatcher, None, nearest=True, lng=grid_point()[0], lat=grid_point()[1])
    assert task.assignee == grid_worker2
    assert task.assign_mode == AssignMode.NEAREST
    assert task.assign_distance_m == pytest.approx(120, abs=5)
    assert calls == [["330203005"]]  # the task's street


def test_nearest_measures_from_the_event_when_the_task_has_no_point(
        dispatcher, grid_worker, grid_worker2, on_duty):
    from gridgov.events.models import Event

    event = Event.objects.filter(area_code=GRID1).first()
    # Worker 2 stands 30 m from the event, worker 1 3 km away.
    on_duty((grid_worker, offset((event.lng, event.lat), 3000)),
            (grid_worker2, offset((event.lng, event.lat), 30)))
    task = actions.assign_task(kind="verify", title="核查", event=event, nearest=True,
                               actor=dispatcher)
    assert task.grid_id == event.grid_id and task.lng is None
    assert task.assignee == grid_worker2
    assert task.assign_distance_m == pytest.approx(30, abs=3)


def test_nobody_on_duty_is_a_clear_refusal(dispatcher, on_duty):
    on_duty()
    with pytest.raises(ValidationError) as exc:
        make_task(dispatcher, None, nearest=True)
    assert "没有在岗的网格员" in exc.value.message_dict["nearest"][0]
    assert not Task.objects.exists()


def test_a_worker_on_duty_who_may_not_work_tasks_is_skipped(
        dispatcher, grid_worker, dept_handler, on_duty, monkeypatch):
    from gridgov.tasks import dispatching

    fake = [dispatching.Candidate(dept_handler.pk, "x", GRID1, 0, 0, timezone.now(), 5.0),
            dispatching.Candidate(grid_worker.pk, "y", GRID1, 0, 0, timezone.now(), 50.0)]
    monkeypatch.setattr(dispatching, "candidates", lambda code, point: fake)
    task = make_task(dispatcher, None, nearest=True)
    assert task.assignee == grid_worker


def test_named_worker_must_work_in_the_tasks_street(dispatcher, rural_grid_worker,
                                                    dept_handler):
    for user in (rural_grid_worker, dept_handler):
        with pytest.raises(ValidationError) as exc:
            make_task(dispatcher, user)
        assert "assignee" in exc.value.message_dict


def test_assigning_needs_the_permission_and_the_grid_in_scope(dispatcher, grid_worker,
                                                              rural_grid_worker):
    with pytest.raises(PermissionDenied):
        make_task(grid_worker, grid_worker)
    with pytest.raises(ValidationError) as exc:
        make_task(dispatcher, rural_grid_worker, grid="330203101201001")
    assert "grid" in exc.value.message_dict


def test_bad_input_names_the_field(dispatcher, grid_worker):
    cases = [({"title": " "}, "title"), ({"lng": 121.5}, "lat"), ({"lng": 500, "lat": 29},
                                                                   "lng"),
             ({"due_at": timezone.now() - timezone.timedelta(hours=1)}, "due_at")]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            make_task(dispatcher, grid_worker, **kwargs)
        assert field in exc.value.message_dict, kwargs
    with pytest.raises(ValidationError) as exc:
        actions.assign_task(kind="nope", title="x", grid=Area.objects.get(code=GRID1),
                            assignee=grid_worker, actor=dispatcher)
    assert "kind" in exc.value.message_dict


def test_accept_then_complete_with_photo_and_position(dispatcher, grid_worker):
    point = grid_point()
    task = make_task(dispatcher, grid_worker, kind="verify", lng=point[0], lat=point[1])
    task = actions.accept_task(task, actor=grid_worker, expected_version=1)
    assert task.state == TaskState.ACCEPTED and task.version == 2
    there = offset(point, 80)
    task = actions.complete_task(task, note="现场已核实", photos=[photo()], lng=there[0],
                                 lat=there[1], accuracy_m=12, actor=grid_worker,
                                 expected_version=2)
    assert task.state == TaskState.DONE and task.result_note == "现场已核实"
    assert task.done_distance_m == pytest.approx(80, abs=3)
    assert task.attachments.count() == 1
    assert [s.action for s in task.steps.all()] == ["assign", "accept", "complete"]


def test_a_verification_needs_a_photo_and_only_photos_are_taken(dispatcher, grid_worker):
    task = make_task(dispatcher, grid_worker, kind="verify")
    with pytest.raises(ValidationError) as exc:
        actions.complete_task(task, note="好了", actor=grid_worker)
    assert "photos" in exc.value.message_dict
    bad = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        actions.complete_task(task, note="好了", photos=[bad], actor=grid_worker)
    assert "photos" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.complete_task(task, note=" ", photos=[photo()], actor=grid_worker)
    assert "note" in exc.value.message_dict


def test_bad_transitions_are_conflicts(dispatcher, grid_worker):
    task = make_task(dispatcher, grid_worker)
    actions.accept_task(task, actor=grid_worker)
    with pytest.raises(actions.Conflict):
        actions.accept_task(task, actor=grid_worker)
    actions.cancel_task(task, reason="重复派发", actor=dispatcher)
    with pytest.raises(actions.Conflict) as exc:
        actions.complete_task(task, note="x", actor=grid_worker)
    assert exc.value.task.state == TaskState.CANCELLED
    with pytest.raises(actions.Conflict):
        actions.reassign_task(task, assignee=grid_worker, actor=dispatcher)


def test_only_the_assignee_works_the_task(dispatcher, grid_worker, grid_worker2, grid_chief):
    task = make_task(dispatcher, grid_worker)
    for other in (grid_worker2, grid_chief):
        with pytest.raises(PermissionDenied):
            actions.accept_task(task, actor=other)
    with pytest.raises(PermissionDenied):
        actions.cancel_task(task, reason="x", actor=grid_worker)


def test_stale_version_from_someone_else_conflicts_but_own_steps_do_not(
        dispatcher, grid_worker, grid_worker2):
    task = make_task(dispatcher, grid_worker)
    # Offline: the worker accepted and completed from the same page (version 1 on both).
    actions.accept_task(task, actor=grid_worker, expected_version=1)
    done = actions.complete_task(task, note="已采集", actor=grid_worker, expected_version=1)
    assert done.state == TaskState.DONE
    # Someone else changed it: the worker's stale write is a conflict.
    other = make_task(dispatcher, grid_worker)
    actions.reassign_task(other, assignee=grid_worker2, actor=dispatcher, expected_version=1)
    with pytest.raises(actions.Conflict) as exc:
        actions.cancel_task(other, reason="x", actor=dispatcher, expected_version=5)
    assert exc.value.task.version == 2
    with pytest.raises(actions.Conflict):
        actions.accept_task(other, actor=grid_worker, expected_version=1)


def test_reassign_keeps_history_and_tells_the_new_worker(
        dispatcher, grid_worker, grid_worker2, django_capture_on_commit_callbacks):
    task = make_task(dispatcher, grid_worker)
    actions.accept_task(task, actor=grid_worker)
    with django_capture_on_commit_callbacks(execute=True):
        task = actions.reassign_task(task, assignee=grid_worker2, note="换人", actor=dispatcher)
    assert task.state == TaskState.ASSIGNED and task.assignee == grid_worker2
    assert task.accepted_at is None
    steps = list(task.steps.values_list("action", "assignee_id"))
    assert steps == [("assign", grid_worker.pk), ("accept", grid_worker.pk),
                     ("reassign", grid_worker2.pk)]
    assert Notification.objects.filter(user=grid_worker2, text__contains="采集新住户信息").exists()
    with pytest.raises(ValidationError):
        actions.reassign_task(task, assignee=grid_worker2, actor=dispatcher)


def test_scope_assignee_area_roles_and_nobody_else(
        dispatcher, grid_worker, grid_worker2, grid_chief, leader, dept_handler,
        rural_grid_worker, shift_leader):
    task = make_task(dispatcher, grid_worker)

    def sees(user, action="view"):
        return Task.objects.restrict(user, action).filter(pk=task.pk).exists()

    assert sees(grid_worker) and sees(grid_chief) and sees(dispatcher) and sees(leader)
    assert sees(shift_leader, "change") and sees(dispatcher, "change")
    assert sees(grid_worker, "change") and not sees(leader, "change")
    assert not sees(grid_worker2) and not sees(dept_handler) and not sees(rural_grid_worker)


def test_overdue(dispatcher, grid_worker):
    task = make_task(dispatcher, grid_worker, due_at=timezone.now() + timezone.timedelta(
        minutes=1))
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - timezone.timedelta(hours=1))
    task.refresh_from_db()
    assert task.is_overdue and Task.objects.overdue().filter(pk=task.pk).exists()
    actions.complete_task(task, note="已完成", actor=grid_worker)
    task.refresh_from_db()
    assert not task.is_overdue


def test_nearest_with_real_patrol_positions(dispatcher, grid_worker, grid_worker2):
    import uuid

    from gridgov.patrols.actions import start_patrol

    centre = grid_point()
    far, near = offset(centre, 1500), offset(centre, 70)
    start_patrol(client_id=uuid.uuid4(), lng=far[0], lat=far[1], accuracy_m=10,
                 actor=grid_worker)
    start_patrol(client_id=uuid.uuid4(), lng=near[0], lat=near[1], accuracy_m=10,
                 actor=grid_worker2)
    task = make_task(dispatcher, None, nearest=True, lng=centre[0], lat=centre[1])
    assert task.assignee == grid_worker2
    assert task.assign_distance_m == pytest.approx(70, abs=5)
