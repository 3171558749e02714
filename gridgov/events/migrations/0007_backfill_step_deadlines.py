"""Data: fill the trace steps' area code, stage deadline and on-time outcome (0006) for the
steps written before them, from each step's audit record (``gridgov.events.backfill``).

What it changed is itself audited: one record (actor: the system) on the chain
``events.eventstep:backfill`` with the counts, forwards and backwards. The audit record is
written with ``gridgov.audit.recorder.record`` (the one writer of the hash chain), so this
migration runs after the audit tables as they are today (``audit.0002``). Reversing empties
the three columns again.
"""

from django.db import migrations

from gridgov.events import backfill


def forward(apps, schema_editor):
    summary = backfill.backfill(apps.get_model("events", "EventStep"),
                                apps.get_model("audit", "AuditRecord"))
    if summary["steps"]:
        backfill.record_summary(summary, remark="迁移 0007:按审计记录回填事件环节的区域编码、"
                                                "环节时限与是否按时。")


def backward(apps, schema_editor):
    cleared = backfill.clear(apps.get_model("events", "EventStep"))
    if cleared:
        backfill.record_summary({"cleared": cleared},
                                remark="撤销迁移 0007:清空事件环节的区域编码、环节时限与是否按时。")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_eventstep_area_deadline"),
        ("audit", "0002_guards"),
    ]

    operations = [migrations.RunPython(forward, backward)]
