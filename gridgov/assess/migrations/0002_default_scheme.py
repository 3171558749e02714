"""Seed the default weighted scheme: Jinniu (Chengdu) district's, out of 100.

处置率 × 30 + 按期处置率 × 20 + (1 − 返工率) × 20 + (1 − 超期待处置率) × 20 + (1 − 延期率) × 10.
"""

from django.db import migrations

NAME = "金牛区效能考核方案"
ITEMS = [
    ("handled_rate", "30", "rate"),
    ("handled_on_time_rate", "20", "rate"),
    ("rework_rate", "20", "inverse"),
    ("overdue_pending_rate", "20", "inverse"),
    ("extension_rate", "10", "inverse"),
]
KINDS = ["department", "street", "community", "grid", "worker"]


def seed(apps, schema_editor):
    Scheme = apps.get_model("assess", "Scheme")
    SchemeItem = apps.get_model("assess", "SchemeItem")
    if Scheme.objects.filter(name=NAME).exists():
        return
    scheme = Scheme.objects.create(
        name=NAME, kinds=KINDS, is_default=not Scheme.objects.filter(is_default=True).exists(),
        description="处置率×30 + 按期处置率×20 + (1−返工率)×20 + (1−超期待处置率)×20 + "
                    "(1−延期率)×10,满分100(成都市金牛区)。")
    SchemeItem.objects.bulk_create([
        SchemeItem(scheme=scheme, indicator=code, weight=weight, direction=direction, order=n)
        for n, (code, weight, direction) in enumerate(ITEMS)])


def unseed(apps, schema_editor):
    Scheme = apps.get_model("assess", "Scheme")
    Snapshot = apps.get_model("assess", "Snapshot")
    scheme = Scheme.objects.filter(name=NAME).first()
    if scheme is None or Snapshot.objects.filter(scheme_id=scheme.pk).exists():
        return
    # Plain deletes by id: the deletion collector of a historical model trips over the
    # related models' own historical copies of Scheme when a migration is unapplied.
    items, schemes = (apps.get_model("assess", name)._meta.db_table
                      for name in ("SchemeItem", "Scheme"))
    quote = schema_editor.quote_name
    schema_editor.execute(f"DELETE FROM {quote(items)} WHERE scheme_id = %s", [scheme.pk])
    schema_editor.execute(f"DELETE FROM {quote(schemes)} WHERE id = %s", [scheme.pk])


class Migration(migrations.Migration):
    dependencies = [("assess", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
