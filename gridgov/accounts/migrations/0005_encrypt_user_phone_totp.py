"""Data: every user's mobile number encrypted (AES-GCM token, keyed lookup hash, mask) and
every TOTP secret encrypted (token, purpose "totp_secret"), the plain columns emptied
(``gridgov.core.personal_migrations``). Reversing decrypts them back (it needs the keys that
encrypted them).

What it changed is itself audited: one record (actor: the system) on the chain
``accounts.user:migration-0005`` with the counts, forwards and backwards, written by
``gridgov.audit.recorder.record`` (hence the dependency on the audit tables).
"""

from django.db import migrations

from gridgov.core import personal_migrations as pm

PHONE = pm.Column("phone", "phone_enc", "phone", "phone_hash", "phone_masked", phone=True)
# The purpose is ``gridgov.accounts.totp.PURPOSE`` written out: a migration keeps its own
# copy of what it depends on.
TOTP = pm.Column("totp_secret", "totp_secret_enc", "totp_secret")


def forward(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    counts = {"phones": pm.seal(User, [PHONE]), "totp_secrets": pm.seal(User, [TOTP])}
    if any(counts.values()):
        pm.record_summary("accounts.encrypt_personal_columns", object_type="accounts.user",
                          object_id="migration-0005", counts=counts,
                          remark="迁移 0005:加密存储用户手机号与动态口令密钥,清空明文列。")


def backward(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    counts = {"phones": pm.unseal(User, [PHONE]), "totp_secrets": pm.unseal(User, [TOTP])}
    if any(counts.values()):
        pm.record_summary("accounts.decrypt_personal_columns", object_type="accounts.user",
                          object_id="migration-0005", counts=counts,
                          remark="撤销迁移 0005:用户手机号与动态口令密钥解密回明文列。")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_phone_totp_encrypted"),
        ("audit", "0002_guards"),
    ]

    operations = [migrations.RunPython(forward, backward)]
