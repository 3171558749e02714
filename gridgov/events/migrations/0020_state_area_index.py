"""An index for the state filter of the event list API (``/api/v1/events/?state=closed``).

Its count within a scope (state, area code prefix or own reports) is then read from the
index alone on PostgreSQL (an index-only scan). Schema only; reversible.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0019_open_case_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["state", "area_code", "reporter_user"],
                               name="events_state_area_idx",
                               opclasses=["varchar_ops", "varchar_pattern_ops", "int8_ops"]),
        ),
    ]
