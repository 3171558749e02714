"""Data: every reporter's phone encrypted (AES-GCM token, keyed lookup hash, mask) and the
plain column emptied (``gridgov.core.personal_migrations``). Reversing decrypts them back into
the plain column (it needs the keys that encrypted them).

What it changed is itself audited: one record (actor: the system) on the chain
``events.event:migration-0009`` with the count, forwards and backwards, written by
``gridgov.audit.recorder.record`` (hence the dependency on the audit tables).
"""

from django.db import migrations

from gridgov.core import personal_migrations as pm

COLUMNS = [pm.Column("reporter_phone", "reporter_phone_enc", "phone", "reporter_phone_hash",
                     "reporter_phone_masked", phone=True)]


def forward(apps, schema_editor):
    count = pm.seal(apps.get_model("events", "Event"), COLUMNS)
    if count:
        pm.record_summary("events.encrypt_reporter_phones", object_type="events.event",
                          object_id="migration-0009", counts={"encrypted": count},
                          remark="迁移 0009:加密存储上报人联系电话,清空明文列。")


def backward(apps, schema_editor):
    count = pm.unseal(apps.get_model("events", "Event"), COLUMNS)
    if count:
        pm.record_summary("events.decrypt_reporter_phones", object_type="events.event",
                          object_id="migration-0009", counts={"decrypted": count},
                          remark="撤销迁移 0009:上报人联系电话解密回明文列。")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0008_event_reporter_phone_encrypted"),
        ("audit", "0002_guards"),
    ]

    operations = [migrations.RunPython(forward, backward)]
