"""Fill the statistics rollup from the events already there (data; the schema and the
triggers are 0014 and 0015). Backward: empty it."""

from django.db import migrations


def fill(apps, schema_editor):
    from gridgov.events.rollup_sync import rebuild_rows

    rebuild_rows(schema_editor.connection)


def empty(apps, schema_editor):
    apps.get_model("events", "EventRollup").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0015_rollup_triggers")]

    operations = [migrations.RunPython(fill, empty)]
