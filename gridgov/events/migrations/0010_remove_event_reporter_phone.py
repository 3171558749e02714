"""Schema: the plain reporter's phone column goes (0009 emptied it into the encrypted ones).
Reversing adds it back empty; reversing 0009 then fills it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_encrypt_reporter_phones"),
    ]

    operations = [
        migrations.RemoveField(model_name="event", name="reporter_phone"),
    ]
