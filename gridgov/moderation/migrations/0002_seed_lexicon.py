"""Seed a small illustrative lexicon (administrators extend and edit it on the lexicon page).

Reversible: the reverse removes exactly the terms seeded here that are still unchanged.
"""

from django.db import migrations

SEED = [
    # (term, category)
    ("代开发票", "illegal"),
    ("办假证", "illegal"),
    ("出售枪支", "illegal"),
    ("买卖银行卡", "illegal"),
    ("毒品交易", "illegal"),
    ("网络赌博", "fraud"),
    ("刷单返利", "fraud"),
    ("高额返利", "fraud"),
    ("无抵押贷款", "fraud"),
    ("杀了你", "violence"),
    ("炸了你家", "violence"),
    ("弄死你", "violence"),
    ("傻逼", "abuse"),
    ("狗官", "abuse"),
    ("去死吧", "abuse"),
    ("约炮", "porn"),
    ("色情服务", "porn"),
]
NOTE = "初始示例词库"


def seed(apps, schema_editor):
    LexiconTerm = apps.get_model("moderation", "LexiconTerm")
    LexiconRevision = apps.get_model("moderation", "LexiconRevision")
    existing = set(LexiconTerm.objects.values_list("term", flat=True))
    LexiconTerm.objects.bulk_create([
        LexiconTerm(term=term, category=category, note=NOTE)
        for term, category in SEED if term not in existing
    ])
    row, _ = LexiconRevision.objects.get_or_create(pk=1)
    row.number += 1
    row.save()


def unseed(apps, schema_editor):
    LexiconTerm = apps.get_model("moderation", "LexiconTerm")
    LexiconRevision = apps.get_model("moderation", "LexiconRevision")
    for term, category in SEED:
        LexiconTerm.objects.filter(term=term, category=category, note=NOTE).delete()
    row, _ = LexiconRevision.objects.get_or_create(pk=1)
    row.number += 1
    row.save()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
