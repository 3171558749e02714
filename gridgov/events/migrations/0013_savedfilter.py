"""Saved searches of 案件查询: a person's own named queries of the search page."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0012_seed_evidence_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedFilter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40, verbose_name="名称")),
                ("query", models.CharField(blank=True, max_length=1000,
                                           verbose_name="查询条件")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now,
                                                    verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now,
                                                    verbose_name="更新时间")),
                ("owner", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="saved_event_filters", to=settings.AUTH_USER_MODEL,
                    verbose_name="所有人")),
            ],
            options={
                "verbose_name": "保存的查询",
                "verbose_name_plural": "保存的查询",
                "ordering": ["name", "id"],
                "constraints": [models.UniqueConstraint(fields=("owner", "name"),
                                                        name="events_savedfilter_name")],
            },
        ),
    ]
