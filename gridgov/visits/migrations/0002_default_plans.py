"""Data migration: a district-wide visit plan for each care group the district visits.

Intervals (REFERENCE.md §12: people of 80+ living alone are contacted at least once a week;
the rest follow the district's usual monthly round, the subsistence-allowance review is
quarterly). 退役军人 has no visit plan: it is a service group, not a visit group.
"""

from django.db import migrations

PLANS = [
    # tag name, every N days, note
    ("独居老人", 7, "每周至少联系一次"),
    ("高龄老人", 30, "每月上门一次"),
    ("空巢老人", 30, "每月上门一次"),
    ("残疾人", 30, "每月上门一次"),
    ("留守儿童", 30, "每月上门一次"),
    ("特困人员", 30, "每月上门一次"),
    ("低保户", 90, "每季度走访核查一次"),
]


def add_plans(apps, schema_editor):
    Tag = apps.get_model("basedata", "Tag")
    VisitPlan = apps.get_model("visits", "VisitPlan")
    for name, days, note in PLANS:
        tag = Tag.objects.filter(name=name, kind="care").first()
        if tag is None:
            continue
        VisitPlan.objects.get_or_create(tag=tag, area_code="", is_active=True,
                                        defaults={"interval_days": days, "note": note})


def remove_plans(apps, schema_editor):
    VisitPlan = apps.get_model("visits", "VisitPlan")
    VisitPlan.objects.filter(tag__name__in=[p[0] for p in PLANS], area_code="",
                             schedules__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial"), ("basedata", "0002_default_tags")]
    operations = [migrations.RunPython(add_plans, remove_plans)]
