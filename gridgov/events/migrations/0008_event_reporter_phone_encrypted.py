"""Schema: the encrypted columns of the reporter's phone (token, lookup hash, mask), beside the
plain column that 0009 empties into them and 0010 drops."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_backfill_step_deadlines"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="reporter_phone_enc",
            field=models.TextField(blank=True, editable=False, verbose_name="联系电话(密文)"),
        ),
        migrations.AddField(
            model_name="event",
            name="reporter_phone_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="event",
            name="reporter_phone_masked",
            field=models.CharField(blank=True, editable=False, max_length=20,
                                   verbose_name="联系电话"),
        ),
    ]
