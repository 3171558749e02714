"""What the reporter's device said about a report (the field terminal): when the problem was
seen (发现时间), the precision of the position fix, and whether the point was moved by hand.

Schema only: earlier events keep ``observed_at`` empty (readers take ``created_at`` then), no
accuracy and no correction flag. All three are nullable: SQLite adds a NOT NULL column only by
rebuilding the table, which its rollup triggers (0015) refuse. Backward: the columns are
dropped."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0016_fill_rollups")]

    operations = [
        migrations.AddField(
            model_name="event", name="observed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="发现时间")),
        migrations.AddField(
            model_name="event", name="accuracy_m",
            field=models.FloatField(blank=True, null=True, verbose_name="定位精度(米)")),
        migrations.AddField(
            model_name="event", name="position_corrected",
            field=models.BooleanField(blank=True, null=True, verbose_name="位置已手动校正")),
    ]
