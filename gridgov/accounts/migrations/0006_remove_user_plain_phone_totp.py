"""Schema: the plain mobile-number and TOTP-secret columns go (0005 emptied them into the
encrypted ones). Reversing adds them back empty; reversing 0005 then fills them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_encrypt_user_phone_totp"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="phone"),
        migrations.RemoveField(model_name="user", name="totp_secret"),
    ]
