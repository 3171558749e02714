"""Partial indexes over the open cases only (issue 16, item 5).

The queue counts (首页's 待办, 指挥中心, 部门待办) and the queue lists add ``open_q()`` to their
WHERE (``gridgov.events.queues``); these indexes hold only the rows in an open state, a few
thousand of a year's hundreds of thousands, so those queries read the open cases of a scope
instead of the whole history. Schema only; reversible (the indexes are dropped).
"""

from django.db import migrations, models

OPEN = models.Q(("state__in", ("completed", "dispatched", "filed", "held", "in_progress",
                               "registered", "reported", "suspended")))


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0018_step_position"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(condition=OPEN, fields=["area_code"],
                               name="events_open_area_idx", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(condition=OPEN, fields=["department", "state"],
                               name="events_open_dept_idx"),
        ),
    ]
