"""Data migration: the 高龄津贴 amounts by age band and the default proactive rules.

Amounts (元/月) are the demo district's assumption, to be set by the civil affairs office
(``AllowanceTier`` rows): 80–89 100, 90–99 200, 100+ 500.

Rules (REFERENCE.md §12), each firing at most once per subject and period:
- 年满 80/90/100 周岁 → 高龄津贴 (免申即享), period *year*: the condition holds only in the
  birthday month, so any period of a month or longer fires once per band; a year also keeps
  a re-run later in the year (or a person back from a move) from starting it twice, and the
  next band (90, 100) falls in another year and fires again.
- 独居老人 and 7+ days without contact → 关爱提醒 to the grid worker, period *week*.
- 养老金资格认证 due within 30 days (or overdue) → 上门服务, period *year* (certification is
  yearly).
- the same problem reported 3+ times in 30 days at one place → 主动巡查, period *month*.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

TIERS = [
    ("elderly_allowance", 80, 89, "80–89 周岁", Decimal("100.00")),
    ("elderly_allowance", 90, 99, "90–99 周岁", Decimal("200.00")),
    ("elderly_allowance", 100, None, "100 周岁以上", Decimal("500.00")),
]

RULES = [
    {
        "name": "年满80/90/100周岁发放高龄津贴",
        "description": "本月年满 80、90、100 周岁的在住居民,免申请自动发放相应档次的高龄津贴。",
        "subject": "person",
        "conditions": [{"fact": "reaches_age_this_month", "op": "in", "value": [80, 90, 100]}],
        "outcome": "proactive.benefit",
        "outcome_params": {"kind": "elderly_allowance"},
        "period": "year",
    },
    {
        "name": "独居老人7天未联系提醒",
        "description": "独居老人连续 7 天以上没有走访或电话联系,提醒所在网格的网格员尽快联系。",
        "subject": "person",
        "conditions": [{"fact": "living_alone", "op": "=", "value": True},
                       {"fact": "days_since_contact", "op": ">=", "value": 7}],
        "outcome": "proactive.service_task",
        "outcome_params": {"kind": "alert", "title": "{name}已{days_since_contact}天未联系,请尽快联系",
                           "due_days": 1, "due_hours": 0, "to": "grid_worker",
                           "department": ""},
        "period": "week",
    },
    {
        "name": "养老金资格认证到期上门服务",
        "description": "养老金领取资格认证 30 天内到期(或已逾期),安排网格员上门协助认证。",
        "subject": "person",
        "conditions": [{"fact": "pension_cert_due_in_days", "op": "<=", "value": 30}],
        "outcome": "proactive.service_task",
        "outcome_params": {"kind": "home_visit", "title": "上门协助{name}办理养老金资格认证",
                           "due_days": 7, "due_hours": 0, "to": "grid_worker",
                           "department": ""},
        "period": "year",
    },
    {
        "name": "同一地点反复上报主动巡查",
        "description": "近 30 天同一网格、同一位置同类问题上报 3 次及以上,安排主动巡查。",
        "subject": "hotspot",
        "conditions": [{"fact": "reports", "op": ">=", "value": 3}],
        "outcome": "proactive.hotspot_task",
        "outcome_params": {"kind": "inspection", "title": "主动巡查:{subject}",
                           "due_days": 3, "due_hours": 0, "to": "grid_worker",
                           "department": ""},
        "period": "month",
    },
]


def add_defaults(apps, schema_editor):
    Tier = apps.get_model("proactive", "AllowanceTier")
    Rule = apps.get_model("rules", "Rule")
    for kind, low, high, label, amount in TIERS:
        Tier.objects.get_or_create(kind=kind, min_age=low, defaults={
            "max_age": high, "label": label, "monthly_amount": amount})
    now = timezone.now()
    for spec in RULES:
        if not Rule.objects.filter(name=spec["name"]).exists():
            Rule.objects.create(**spec, match="all", area_code="", is_active=True,
                                created_at=now, updated_at=now)


def remove_defaults(apps, schema_editor):
    Tier = apps.get_model("proactive", "AllowanceTier")
    Rule = apps.get_model("rules", "Rule")
    Rule.objects.filter(name__in=[r["name"] for r in RULES], firings__isnull=True).delete()
    Benefit = apps.get_model("proactive", "Benefit")
    Tier.objects.filter(kind="elderly_allowance", min_age__in=[t[1] for t in TIERS]).exclude(
        pk__in=Benefit.objects.exclude(tier=None).values("tier")).delete()


class Migration(migrations.Migration):
    dependencies = [("proactive", "0001_initial"), ("rules", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
