"""Data: pending requests on cases that already left the handling stage lapse.

Before 0004 nothing closed them, so such rows would wait in the approvers' queue forever.
The handling stage's states are written out here (a migration must not read today's
workflow table). Reversing sets them pending again.
"""

from django.db import migrations
from django.utils import timezone

HANDLING = ("dispatched", "in_progress")
REMARK = "事件已离开处置环节,申请自动失效。"


def lapse(apps, schema_editor):
    EventRequest = apps.get_model("events", "EventRequest")
    (EventRequest.objects.filter(status="pending").exclude(event__state__in=HANDLING)
     .update(status="lapsed", decided_at=timezone.now(), decision_remark=REMARK))


def unlapse(apps, schema_editor):
    EventRequest = apps.get_model("events", "EventRequest")
    (EventRequest.objects.filter(status="lapsed", decision_remark=REMARK)
     .update(status="pending", decided_at=None, decision_remark=""))


class Migration(migrations.Migration):
    dependencies = [("events", "0004_request_status_lapsed")]

    operations = [migrations.RunPython(lapse, unlapse)]
