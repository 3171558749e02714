"""Data: the seed category catalog (platforms, major and minor classes) of REFERENCE §5–6.

Kept apart from the schema migration. The rows come from ``gridgov.events.catalog_data``;
default departments are linked by department code when that department exists (on a fresh
install without the demo departments they stay empty, and
``gridgov.events.actions.link_default_departments`` links them later). Reversing removes
the seeded rows that no event uses.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from gridgov.events import catalog_data as data

    Platform = apps.get_model("events", "Platform")
    Major = apps.get_model("events", "MajorCategory")
    Minor = apps.get_model("events", "MinorCategory")
    Department = apps.get_model("accounts", "Department")
    departments = dict(Department.objects.values_list("code", "pk"))
    platforms = {}
    for code, name, description in data.PLATFORMS:
        platforms[code], _ = Platform.objects.get_or_create(
            code=code, defaults={"name": name, "description": description})
    majors = {}
    for code, name, platform, kind, _dept in data.MAJORS:
        majors[code], _ = Major.objects.get_or_create(
            code=code, defaults={"name": name, "platform": platforms[platform], "kind": kind})
    dept_codes = data.department_codes()
    names = {code: name for code, name, *_ in data.MAJORS}
    for code, name, amount, unit, urgency, _dept, filing, closing in data.MINORS:
        major = code[:2]
        Minor.objects.get_or_create(code=code, defaults={
            "name": name,
            "major": majors[major],
            "default_department_id": departments.get(dept_codes[code]),
            "default_urgency": urgency,
            "handle_amount": amount,
            "handle_unit": unit,
            "filing_condition": filing or data.generic_filing(name, names[major]),
            "closing_condition": closing or data.generic_closing(name),
        })


def unseed(apps, schema_editor):
    from gridgov.events import catalog_data as data

    Minor = apps.get_model("events", "MinorCategory")
    Major = apps.get_model("events", "MajorCategory")
    Platform = apps.get_model("events", "Platform")
    Event = apps.get_model("events", "Event")
    used = set(Event.objects.values_list("category__code", flat=True))
    Minor.objects.filter(code__in=[r[0] for r in data.MINORS]).exclude(code__in=used).delete()
    Major.objects.filter(code__in=[r[0] for r in data.MAJORS], minors__isnull=True).delete()
    Platform.objects.filter(code__in=[r[0] for r in data.PLATFORMS],
                            majors__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
