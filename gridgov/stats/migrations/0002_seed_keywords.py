"""Seed the governance terms of the keyword dictionary (administrators edit them on the
dictionary page). Place names are not seeded: the streets and communities are read from the
area table at run time.

Reversible: the reverse removes exactly the terms seeded here that are still unchanged.
"""

from django.db import migrations

# 治理术语: kept whole by jieba, whatever its own dictionary would cut.
GOVERNANCE_TERMS = (
    # 市容环境
    "暴露垃圾", "积存垃圾", "垃圾渣土", "垃圾分类", "垃圾桶", "道路不洁", "水域不洁", "绿地脏乱",
    "废弃车辆", "僵尸车", "废弃家具", "道路破损", "道路遗撒", "外立面", "焚烧垃圾", "油烟",
    "油烟污染", "动物尸体",
    # 宣传广告
    "小广告", "广告牌匾", "占道广告", "散发广告", "招牌破损",
    # 施工管理
    "施工扰民", "工地扬尘", "建筑垃圾", "施工占道", "无证掘路",
    # 突发事件
    "路面塌陷", "水管破裂", "燃气管道", "下水道堵塞", "道路积水", "道路结冰", "架空线缆",
    "井盖",
    # 街面秩序
    "无照经营", "流动摊贩", "占道经营", "店外经营", "废品收购", "机动车乱停放",
    "非机动车乱停放", "乱停车", "乱堆物料", "商业噪音", "噪音扰民", "黑车拉客", "露天烧烤",
    "沿街晾挂",
    # 房屋、安全与民生
    "违章搭建", "私搭乱建", "飞线充电", "电动车", "楼道堆物", "消防通道", "高空抛物", "群租房",
    "物业", "停车", "路灯", "共享单车", "邻里纠纷", "安全隐患",
)

NOTE = "初始治理术语"


def seed(apps, schema_editor):
    KeywordTerm = apps.get_model("stats", "KeywordTerm")
    KeywordRevision = apps.get_model("stats", "KeywordRevision")
    existing = set(KeywordTerm.objects.values_list("term", flat=True))
    KeywordTerm.objects.bulk_create([
        KeywordTerm(term=term, kind="governance", note=NOTE)
        for term in dict.fromkeys(GOVERNANCE_TERMS) if term not in existing
    ])
    row, _ = KeywordRevision.objects.get_or_create(pk=1)
    row.number += 1
    row.save()


def unseed(apps, schema_editor):
    KeywordTerm = apps.get_model("stats", "KeywordTerm")
    KeywordRevision = apps.get_model("stats", "KeywordRevision")
    KeywordTerm.objects.filter(term__in=list(GOVERNANCE_TERMS), kind="governance", note=NOTE,
                               is_active=True).delete()
    row, _ = KeywordRevision.objects.get_or_create(pk=1)
    row.number += 1
    row.save()


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
