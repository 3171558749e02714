"""What the rules tests share: a test outcome, a private tag and people made directly."""

import datetime as dt

from gridgov.basedata.choices import Sensitivity, TagKind
from gridgov.basedata.models import Person, Tag
from gridgov.rules import actions
from gridgov.rules.registry import OutcomeSpec

TEST_TAG = "规则测试人群"
OUTCOME = "rules_test.record"


class Recorder:
    """The test outcome: remembers each call (subject, facts, params)."""

    def __init__(self):
        self.calls = []

    def __call__(self, subject, *, rule, firing, facts, params):
        self.calls.append({"subject": subject, "rule": rule.pk, "firing": firing.pk,
                           "facts": facts, "params": params})
        return None


def outcome_spec(handler, subject="person", code=OUTCOME):
    return OutcomeSpec(code, "测试结果", subject, handler)


def ensure_tag() -> Tag:
    tag, _ = Tag.objects.get_or_create(name=TEST_TAG, defaults={
        "kind": TagKind.CARE, "sensitivity": Sensitivity.NORMAL})
    return tag


def make_person(grid, name, *, birth_date=None, tags=(), sex="", **fields) -> Person:
    person = Person.objects.create(grid=grid, area_code=grid.code, name=name,
                                   birth_date=birth_date, sex=sex, **fields)
    person.tags.add(ensure_tag(), *Tag.objects.filter(name__in=tags))
    return person


def years_ago(today: dt.date, years: int, *, month=None, day=None) -> dt.date:
    return dt.date(today.year - years, month or today.month, day or today.day)


def mine(*conditions):
    """Conditions that keep to the test's own people."""
    return [{"fact": "tag", "op": "has tag", "value": TEST_TAG}, *conditions]


def rule(*conditions, name="测试规则", period="once", area_code="", outcome=OUTCOME,
         subject="person", match="all", params=None):
    return actions.save_rule(name=name, subject=subject, conditions=list(conditions),
                             outcome=outcome, period=period, area_code=area_code,
                             match=match, outcome_params=params or {}, actor=None)
