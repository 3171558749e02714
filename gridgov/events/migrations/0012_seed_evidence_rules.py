"""Data: the default evidence rules (see ``gridgov.events.evidence``): a global default that
completion and verification need a photo, and no photo for the classes whose work is with
people (矛盾纠纷, 信访, 特殊人群服务, 民生诉求 but 环境卫生诉求). Place stays optional.

What it wrote is itself audited: one record (actor: the system) on the chain
``events.evidencerule:seed``, forwards and backwards, written by
``gridgov.audit.recorder.record`` like 0007. Reversing deletes the rules it created (rules
added later by an administrator stay; reversing 0011 drops them all).
"""

from django.db import migrations

from gridgov.audit.recorder import record

# Frozen here (not read from gridgov.events.evidence) so later edits there do not change
# what this migration wrote.
DEFAULT = {"complete_photo": True, "complete_place": False, "verify_photo": True,
           "verify_place": False, "radius_m": 200}
NO_PHOTO = {**DEFAULT, "complete_photo": False, "verify_photo": False}
SEED_MAJORS = {"11": NO_PHOTO, "14": NO_PHOTO, "15": NO_PHOTO, "31": NO_PHOTO}
SEED_MINORS = {"3105": DEFAULT}


def _audit(summary, remark):
    record("events.evidence_rule_seed", actor=None, object_type="events.evidencerule",
           object_id="seed", object_repr="EvidenceRule defaults",
           changes={k: [None, v] for k, v in summary.items()}, remark=remark)


def forward(apps, schema_editor):
    rule = apps.get_model("events", "EvidenceRule")
    majors = {m.code: m for m in apps.get_model("events", "MajorCategory").objects.all()}
    minors = {m.code: m for m in apps.get_model("events", "MinorCategory").objects.all()}
    created = []
    if not rule.objects.filter(is_global=True).exists():
        rule.objects.create(is_global=True, **DEFAULT)
        created.append("global")
    for code, values in SEED_MAJORS.items():
        if code in majors and not rule.objects.filter(major=majors[code]).exists():
            rule.objects.create(major=majors[code], **values)
            created.append(f"major:{code}")
    for code, values in SEED_MINORS.items():
        if code in minors and not rule.objects.filter(category=minors[code]).exists():
            rule.objects.create(category=minors[code], **values)
            created.append(f"minor:{code}")
    if created:
        _audit({"created": created}, "迁移 0012:写入默认取证规则(处置完毕与核查须上传照片;"
                                     "矛盾纠纷、信访、特殊人群服务、民生诉求类除外)。")


def backward(apps, schema_editor):
    rule = apps.get_model("events", "EvidenceRule")
    seeded = rule.objects.filter(is_global=True) | rule.objects.filter(
        major__code__in=list(SEED_MAJORS)) | rule.objects.filter(
        category__code__in=list(SEED_MINORS))
    removed, _ = seeded.delete()
    if removed:
        _audit({"deleted": removed}, "撤销迁移 0012:删除默认取证规则。")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0011_evidencerule"),
        ("audit", "0002_guards"),
    ]

    operations = [migrations.RunPython(forward, backward)]
