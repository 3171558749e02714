"""What the proactive tests share: people with known birth dates, phones and tags, and the
default rules by name."""

import datetime as dt
import itertools

from gridgov.basedata import actions as people
from gridgov.demo.basedata import make_id_number
from gridgov.rules.models import Rule

_seq = itertools.count(8200)

BENEFIT_RULE = "年满80/90/100周岁发放高龄津贴"
ALERT_RULE = "独居老人7天未联系提醒"
PENSION_RULE = "养老金资格认证到期上门服务"
HOTSPOT_RULE = "同一地点反复上报主动巡查"


def make_person(grid, name, *, born=dt.date(1960, 5, 5), tags=(), phone=""):
    seq = next(_seq)
    return people.create_person(actor=None, grid=grid, name=name,
                                id_number=make_id_number(born, seq, seq % 2 == 0),
                                phone=phone, tags=list(tags))


def rule(name) -> Rule:
    return Rule.objects.get(name=name)


def run(*names, today):
    from gridgov.rules.actions import run_rules

    return run_rules(today=today, rules=[rule(n) for n in names], actor=None)
