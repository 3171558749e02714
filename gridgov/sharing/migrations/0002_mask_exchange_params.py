"""Data: the exchange evidence kept before masking stops holding plain ID numbers and phones
in ``params``: the values asked of a resource's sensitive fields (or of fields the grant
masked) are masked whole, and every ID number, mobile number or run of 7+ digits elsewhere
is replaced by its mask (``personal_data.scrub``, the rule ``ExchangeLog.evidence_params``
applies to new evidence).

One-way by design: the point is that the plain values are gone, so reversing changes
nothing (the masked evidence stays; its hash of the response body and its counts were never
touched). What it changed is audited: one record (actor: the system) on the chain
``sharing.exchangelog:migration-0002`` with the count, written by
``gridgov.audit.recorder.record`` (hence the dependency on the audit tables).
"""

from django.db import migrations

from gridgov.core import personal_data

BATCH = 500


def _personal_fields(apps) -> tuple[dict, dict]:
    ResourceField = apps.get_model("sharing", "ResourceField")
    Grant = apps.get_model("sharing", "Grant")
    by_resource: dict = {}
    for resource_id, name in (ResourceField.objects.filter(sensitive=True)
                              .values_list("resource_id", "name")):
        by_resource.setdefault(resource_id, set()).add(name)
    by_grant = {pk: {f for f, rule in (masking or {}).items() if rule == "masked"}
                for pk, masking in Grant.objects.values_list("pk", "masking")}
    return by_resource, by_grant


def forward(apps, schema_editor):
    ExchangeLog = apps.get_model("sharing", "ExchangeLog")
    by_resource, by_grant = _personal_fields(apps)
    masked = 0
    last_pk = 0
    while True:
        rows = list(ExchangeLog.objects.filter(pk__gt=last_pk).order_by("pk")
                    .only("pk", "resource_id", "grant_id", "params")[:BATCH])
        if not rows:
            break
        changed = []
        for row in rows:
            personal = by_resource.get(row.resource_id, set()) | by_grant.get(row.grant_id,
                                                                               set())
            clean = personal_data.scrub(row.params or {}, personal_keys=personal)
            if clean != row.params:
                row.params = clean
                changed.append(row)
        # The historical model has no append-only save(): bulk_update writes the column.
        ExchangeLog.objects.bulk_update(changed, ["params"], batch_size=BATCH)
        masked += len(changed)
        last_pk = rows[-1].pk
    if masked:
        from gridgov.audit.recorder import record

        record("sharing.mask_exchange_params", actor=None, object_type="sharing.exchangelog",
               object_id="migration-0002", changes={"masked": [None, masked]},
               remark="迁移 0002:交换记录参数中的身份证号、手机号改存掩码。")


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_initial"),
        ("audit", "0002_guards"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
