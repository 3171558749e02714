"""Data migration: the care-group and special-group tags every district uses."""

from django.db import migrations

TAGS = [
    # name, kind, sensitivity, description
    ("独居老人", "care", 1, "60周岁以上独自居住的老人"),
    ("空巢老人", "care", 1, "子女不在身边的老人"),
    ("高龄老人", "care", 1, "80周岁以上老人"),
    ("留守儿童", "care", 1, "父母外出务工的未成年人"),
    ("残疾人", "care", 2, "持残疾人证"),
    ("低保户", "care", 2, "最低生活保障对象"),
    ("特困人员", "care", 2, "特困供养对象"),
    ("退役军人", "care", 1, ""),
    ("社区矫正对象", "special", 3, "司法行政部门管理"),
    ("刑满释放人员", "special", 3, "安置帮教对象"),
    ("严重精神障碍患者", "special", 3, "卫健、民政部门服务管理"),
    ("吸毒人员", "special", 3, "社区戒毒、社区康复"),
    ("信访重点人员", "special", 2, ""),
]


def add_tags(apps, schema_editor):
    Tag = apps.get_model("basedata", "Tag")
    for name, kind, sensitivity, description in TAGS:
        Tag.objects.get_or_create(name=name, defaults={
            "kind": kind, "sensitivity": sensitivity, "description": description})


def remove_tags(apps, schema_editor):
    Tag = apps.get_model("basedata", "Tag")
    Tag.objects.filter(name__in=[t[0] for t in TAGS], people__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("basedata", "0001_initial")]
    operations = [migrations.RunPython(add_tags, remove_tags)]
