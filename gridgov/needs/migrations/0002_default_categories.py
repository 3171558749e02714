"""Data migration: the need categories every district starts with (``needs.vocabulary``)."""

from django.db import migrations

from gridgov.needs.vocabulary import CATEGORIES


def add_categories(apps, schema_editor):
    NeedCategory = apps.get_model("needs", "NeedCategory")
    Tag = apps.get_model("basedata", "Tag")
    tags = {t.name: t for t in Tag.objects.filter(kind="care")}
    for order, (code, name, description, keywords, needs, groups) in enumerate(CATEGORIES):
        category, created = NeedCategory.objects.get_or_create(code=code, defaults={
            "name": name, "description": description, "keywords": keywords,
            "visit_needs": needs, "order": (order + 1) * 10})
        if created:
            category.care_groups.set([tags[g] for g in groups if g in tags])


def remove_categories(apps, schema_editor):
    NeedCategory = apps.get_model("needs", "NeedCategory")
    NeedCategory.objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("needs", "0001_initial"),
        ("basedata", "0002_default_tags"),
    ]

    operations = [migrations.RunPython(add_categories, remove_categories)]
