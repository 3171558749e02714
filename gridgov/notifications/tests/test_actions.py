"""notify(), mark_read(), mark_all_read(): rows, audit, SMS after commit, ownership."""

import pytest
from django.core.exceptions import PermissionDenied

from gridgov.audit.models import AuditRecord
from gridgov.notifications import actions
from gridgov.notifications.choices import Kind
from gridgov.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_notify_writes_one_row_per_person_audits_and_texts_after_commit(
        grid_worker, dispatcher, outbox, on_commit):
    audits = AuditRecord.objects.filter(action="notifications.send").count()
    with on_commit():
        created = actions.notify([grid_worker, dispatcher, grid_worker], kind=Kind.DISPATCH,
                                 text="事件已派遣", phones=["13912345678"])
        assert outbox == []  # nothing leaves before the commit
    assert len(created) == 2
    rows = Notification.objects.filter(text="事件已派遣")
    assert sorted(rows.values_list("user__username", flat=True)) == ["dispatch_gulou",
                                                                     "gw_gulou"]
    assert all(n.read_at is None for n in rows)
    assert AuditRecord.objects.filter(action="notifications.send").count() == audits + 1
    record = AuditRecord.objects.filter(action="notifications.send").latest("id")
    assert record.changes["phones"] == [None, ["139****5678"]]
    assert sorted(m.phone for m in outbox) == ["13800000001", "13800000008", "13912345678"]


def test_progress_to_nobody_writes_nothing(outbox, on_commit):
    with on_commit():
        assert actions.notify([], kind=Kind.PROGRESS, text="x") == []
    assert outbox == []


def test_kinds_without_sms_stay_in_app(grid_worker, outbox, on_commit):
    with on_commit():
        actions.notify([grid_worker], kind=Kind.OTHER, text="系统维护通知")
    assert outbox == []
    assert Notification.objects.filter(user=grid_worker, text="系统维护通知").exists()


def test_inactive_users_are_skipped(grid_worker, grid_worker2):
    grid_worker2.is_active = False
    created = actions.notify([grid_worker, grid_worker2, None], kind=Kind.OTHER, text="t")
    assert [n.user_id for n in created] == [grid_worker.pk]


def test_dedupe_key_tells_each_person_once(grid_worker, dispatcher, outbox, on_commit):
    with on_commit():
        actions.notify([grid_worker], kind=Kind.OVERDUE, text="超期", dedupe_key="overdue:1:x")
        actions.notify([grid_worker, dispatcher], kind=Kind.OVERDUE, text="超期",
                       dedupe_key="overdue:1:x")
    assert Notification.objects.filter(dedupe_key="overdue:1:x").count() == 2
    assert [m.phone for m in outbox].count(grid_worker.phone) == 1


def test_unknown_kind_is_refused(grid_worker):
    with pytest.raises(ValueError):
        actions.notify([grid_worker], kind="gossip", text="t")


def test_mark_read_only_by_the_recipient(grid_worker, grid_worker2):
    [note] = actions.notify([grid_worker], kind=Kind.OTHER, text="t")
    with pytest.raises(PermissionDenied):
        actions.mark_read(note, actor=grid_worker2)
    actions.mark_read(note, actor=grid_worker)
    note.refresh_from_db()
    assert note.read_at is not None
    read = AuditRecord.objects.filter(action="notifications.read", object_id=str(note.pk))
    assert read.count() == 1
    actions.mark_read(note, actor=grid_worker)  # idempotent, no second record
    assert read.count() == 1


def test_mark_all_read(grid_worker, grid_worker2):
    unread = Notification.objects.filter(user=grid_worker, read_at__isnull=True).count()
    others = Notification.objects.filter(user=grid_worker2, read_at__isnull=True).count()
    actions.notify([grid_worker, grid_worker2], kind=Kind.OTHER, text="a")
    actions.notify([grid_worker], kind=Kind.OTHER, text="b")
    assert actions.mark_all_read(actor=grid_worker) == unread + 2
    assert not Notification.objects.filter(user=grid_worker, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=grid_worker2, read_at__isnull=True).count() == (
        others + 1)
    assert actions.mark_all_read(actor=grid_worker) == 0
    with pytest.raises(PermissionDenied):
        actions.mark_all_read(actor=None)
