"""Schema: the encrypted columns of a user's mobile number (token, lookup hash, mask) and of
the TOTP secret (token), beside the plain columns that 0005 empties into them and 0006 drops."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_devicetoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="phone_enc",
            field=models.TextField(blank=True, editable=False, verbose_name="手机号(密文)"),
        ),
        migrations.AddField(
            model_name="user",
            name="phone_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="user",
            name="phone_masked",
            field=models.CharField(blank=True, editable=False, max_length=20,
                                   verbose_name="手机号"),
        ),
        migrations.AddField(
            model_name="user",
            name="totp_secret_enc",
            field=models.TextField(blank=True, editable=False,
                                   verbose_name="动态口令密钥(密文)"),
        ),
    ]
