"""Data: pending requests on cases that already left the handling stage lapse.

Before 0004 nothing closed them, so such rows would wait in the approvers' queue forever.
The handling stage's states are written out here (a migration must not read today's
workflow table). Reversing sets them pending again. What changed is audited: one record
(actor: the system) naming the requests, written by ``gridgov.audit.recorder.record`` (the one
writer of the hash chain), which is why this migration runs after the audit tables.
"""

from django.db import migrations
from django.utils import timezone

HANDLING = ("dispatched", "in_progress")
REMARK = "事件已离开处置环节,申请自动失效。"


def _audit(action, ids, remark):
    if ids:
        from gridgov.audit.recorder import record

        record(action, actor=None, object_type="events.eventrequest", object_id="migration-0005",
               changes={"requests": sorted(ids)}, remark=remark)


def lapse(apps, schema_editor):
    EventRequest = apps.get_model("events", "EventRequest")
    stale = EventRequest.objects.filter(status="pending").exclude(event__state__in=HANDLING)
    ids = list(stale.values_list("id", flat=True))
    stale.update(status="lapsed", decided_at=timezone.now(), decision_remark=REMARK)
    _audit("events.requests_lapsed", ids, "迁移 0005:" + REMARK)


def unlapse(apps, schema_editor):
    EventRequest = apps.get_model("events", "EventRequest")
    lapsed = EventRequest.objects.filter(status="lapsed", decision_remark=REMARK)
    ids = list(lapsed.values_list("id", flat=True))
    lapsed.update(status="pending", decided_at=None, decision_remark="")
    _audit("events.requests_unlapsed", ids, "撤销迁移 0005:申请恢复为待审批。")


class Migration(migrations.Migration):
    dependencies = [("events", "0004_request_status_lapsed"), ("audit", "0002_guards")]

    operations = [migrations.RunPython(lapse, unlapse)]
