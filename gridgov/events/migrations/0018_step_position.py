"""The device's position on a step (处置、核查 from the field terminal): point, accuracy, time
and distance to the event (schema only; steps recorded before keep them in their audit record
and show no position). Backward: the columns are dropped."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0017_event_observed_at")]

    operations = [
        migrations.AddField(
            model_name="eventstep", name="place_lng",
            field=models.FloatField(blank=True, null=True, verbose_name="定位经度")),
        migrations.AddField(
            model_name="eventstep", name="place_lat",
            field=models.FloatField(blank=True, null=True, verbose_name="定位纬度")),
        migrations.AddField(
            model_name="eventstep", name="place_accuracy_m",
            field=models.PositiveIntegerField(blank=True, null=True,
                                              verbose_name="定位精度(米)")),
        migrations.AddField(
            model_name="eventstep", name="place_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="定位时间")),
        migrations.AddField(
            model_name="eventstep", name="place_distance_m",
            field=models.PositiveIntegerField(blank=True, null=True,
                                              verbose_name="距事件(米)")),
    ]
