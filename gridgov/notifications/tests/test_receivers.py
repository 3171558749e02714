"""Who is told of what when an event moves (through the real actions and signal)."""

import pytest

from gridgov.events import actions as ev
from gridgov.events.choices import State
from gridgov.events.tests.helpers_command import (
    category,
    make_due_soon,
    make_event,
    make_overdue,
)
from gridgov.events.tests.workflow_support import photo
from gridgov.notifications.choices import Kind
from gridgov.notifications.models import Notification
from gridgov.notifications.receivers import normalise

pytestmark = pytest.mark.django_db


def told(kind, event=None):
    rows = Notification.objects.filter(kind=kind)
    if event is not None:
        rows = rows.filter(event=event)
    return sorted(rows.values_list("user__username", flat=True))


def test_dispatch_tells_the_department_handlers_and_the_reporter(
        gulou_grid, grid_worker, outbox, on_commit):
    event = make_event(gulou_grid, state=State.FILED, reporter=grid_worker)
    with on_commit():
        ev.dispatch_event(event, actor=None)
    assert told(Kind.DISPATCH, event) == ["handler_zhifa"]
    assert told(Kind.PROGRESS, event) == ["gw_gulou"]
    assert any("已派遣至区综合行政执法局" in m.text and m.phone == "13800000011"
               for m in outbox)


def test_dispatch_to_the_grid_tells_the_grid_workers(gulou_grid, on_commit):
    event = make_event(gulou_grid, state=State.FILED)
    with on_commit():
        ev.dispatch_event(event, grid=True, actor=None)
    assert told(Kind.DISPATCH, event) == ["gw_gulou"]


def test_return_tells_the_dispatchers_with_the_reason(gulou_grid, dept_handler, on_commit):
    event = make_event(gulou_grid, state=State.DISPATCHED)
    with on_commit():
        ev.return_event(event, reason="属于供电部门职责", actor=dept_handler)
    assert told(Kind.RETURN, event) == ["dispatch_gulou"]
    note = Notification.objects.get(kind=Kind.RETURN, event=event)
    assert "区综合行政执法局" in note.text and "属于供电部门职责" in note.text


def test_completion_asks_the_grid_worker_to_verify(gulou_grid, on_commit):
    event = make_event(gulou_grid, state=State.IN_PROGRESS)
    with on_commit():
        ev.complete_event(event, remark="已清运", actor=None, attachments=[photo()])
    assert told(Kind.TO_VERIFY, event) == ["gw_gulou"]


def test_failed_verification_sends_the_handlers_back(gulou_grid, grid_worker, on_commit):
    event = make_event(gulou_grid, state=State.COMPLETED)
    with on_commit():
        ev.verify_event(event, passed=False, remark="仍有垃圾", actor=grid_worker,
                        attachments=[photo()])
    rework = Notification.objects.get(event=event, text__contains="返工")
    assert rework.user.username == "handler_zhifa"
    assert "仍有垃圾" in rework.text


def test_supervision_tells_handlers_and_dispatchers(gulou_grid, leader, on_commit):
    event = make_event(gulou_grid, state=State.IN_PROGRESS)
    with on_commit():
        ev.supervise_event(event, remark="三日内办结", actor=leader)
    assert told(Kind.SUPERVISE, event) == ["dispatch_gulou", "handler_zhifa"]
    assert "三日内办结" in Notification.objects.filter(kind=Kind.SUPERVISE).first().text


def test_merged_reporters_hear_progress_to_the_close(gulou_grid, grid_worker, outbox,
                                                     on_commit):
    primary = make_event(gulou_grid, reporter=grid_worker)
    duplicate = make_event(gulou_grid, phone="13912345678")
    with on_commit():
        ev.merge_events(primary, [duplicate], actor=None)
    merged = Notification.objects.filter(kind=Kind.PROGRESS, event=primary)
    assert not merged.exists()  # the duplicate's reporter has no account: SMS only
    assert any(m.phone == "13912345678" and primary.number in m.text for m in outbox)
    outbox.clear()
    with on_commit():
        ev.register_event(primary, actor=None)
        ev.file_event(primary, actor=None, category=category())
        ev.dispatch_event(primary, actor=None)
        ev.claim_event(primary, actor=None)
        ev.complete_event(primary, remark="done", actor=None, attachments=[photo()])
        ev.verify_event(primary, passed=True, actor=None, attachments=[photo()])
    closed = [m for m in outbox if "结案" in m.text]
    assert sorted(m.phone for m in closed) == ["13800000001", "13912345678"]
    assert told(Kind.PROGRESS, primary).count("gw_gulou") == 2  # dispatched, closed


def test_not_filed_and_void_tell_the_reporter(gulou_grid, grid_worker, shift_leader,
                                              on_commit):
    one = make_event(gulou_grid, state=State.REGISTERED, reporter=grid_worker)
    two = make_event(gulou_grid, reporter=grid_worker)
    with on_commit():
        ev.not_file_event(one, reason="不属于受理范围", actor=shift_leader)
        ev.void_event(two, reason="重复测试", actor=shift_leader)
    texts = list(Notification.objects.filter(kind=Kind.PROGRESS).values_list("text", flat=True))
    assert any("不予立案" in t and "不属于受理范围" in t for t in texts)
    assert any("已作废" in t for t in texts)


def test_overdue_tells_the_stage_holder_and_shift_leaders_once(gulou_grid, on_commit):
    event = make_overdue(make_event(gulou_grid, state=State.FILED))
    with on_commit():
        ev.mark_deadline(event, kind="overdue")
        ev.mark_deadline(event, kind="overdue")  # marked once per stage
    assert told(Kind.OVERDUE, event) == ["dispatch_gulou", "shift_gulou"]
    assert "已超过时限" in Notification.objects.filter(kind=Kind.OVERDUE).first().text


def test_due_soon_tells_the_handlers(gulou_grid, on_commit):
    event = make_due_soon(make_event(gulou_grid, state=State.DISPATCHED))
    with on_commit():
        ev.mark_deadline(event, kind="due_soon")
    assert told(Kind.DUE_SOON, event) == ["handler_zhifa"]


def test_transitions_nobody_needs_to_hear_about_are_silent(gulou_grid, on_commit):
    before = Notification.objects.count()
    with on_commit():
        make_event(gulou_grid, state=State.REGISTERED)
    assert Notification.objects.count() == before


@pytest.mark.parametrize("raw, expected", [
    ("events.dispatch", "dispatch"), ("dispatch_event", "dispatch"), ("merge_events", "merge"),
    ("return", "return"), ("", ""),
])
def test_action_names_are_normalised(raw, expected):
    assert normalise(raw) == expected


def test_recipients_follow_the_permission_table(gulou_grid, sys_admin, sec_admin, on_commit):
    """Who hears of a return is who holds ``events.dispatch`` in the area: a role added by an
    administrator with that permission is told too, without code."""
    from gridgov.accounts import actions as account_actions
    from gridgov.core.models import Permission, RoleDefinition
    from gridgov.notifications import recipients

    role = RoleDefinition.objects.create(code="night_dispatch", name="夜班派遣员")
    role.permissions.add(Permission.objects.get(code="events.dispatch"))
    person = account_actions.create_user(username="t_night", real_name="夜班",
                                         password="Haishu#2026", actor=sys_admin)
    account_actions.assign_role(person, "night_dispatch", gulou_grid, actor=sec_admin)
    assert "night_dispatch" in recipients.roles_with("events.dispatch")
    event = make_event(gulou_grid, state=State.FILED)
    assert person in recipients.dispatchers(event)
    # Department-bound grants count only with the department (the handlers' notice).
    assert recipients.roles_with("notifications.handling_notice", department_bound=True) == [
        "dept_handler"]
    assert recipients.roles_with("notifications.handling_notice", department_bound=False) == [
        "grid_worker"]
