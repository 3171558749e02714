"""The person facts for the rules: recent needs (a set, tested with has / not has) and their
count, in SQL over the index."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.basedata.models import Person
from gridgov.needs import actions
from gridgov.needs.rule_specs import FACTS
from gridgov.visits.models import Visit

from .support import GRID1, person

pytestmark = pytest.mark.django_db
SPECS = {f.code: f for f in FACTS}


@pytest.fixture
def noted(gulou_grid):
    today = timezone.localdate()
    p = person(gulou_grid, "规则甲", "独居老人")
    q = person(gulou_grid, "规则乙", "独居老人")
    old = person(gulou_grid, "规则丙", "独居老人")
    now = timezone.now()
    Visit.objects.bulk_create([
        Visit(person=p, area_code=GRID1, visited_at=now - dt.timedelta(days=3),
              notes="需要帮忙配药", needs=["hardship"]),
        Visit(person=q, area_code=GRID1, visited_at=now - dt.timedelta(days=5),
              notes="身体良好"),
        Visit(person=old, area_code=GRID1, visited_at=now - dt.timedelta(days=120),
              notes="需要帮忙配药"),
    ])
    actions.refresh_needs(actor=None)
    return today, p, q, old


def test_recent_need_has_and_not_has(noted):
    today, p, q, old = noted
    spec = SPECS["recent_need"]
    assert spec.type == "tag" and ("medical", "就医健康") in spec.choices()
    people = Person.objects.filter(pk__in=[p.pk, q.pk, old.pk])
    has = set(people.filter(spec.condition(["medical"], today)).values_list("pk", flat=True))
    assert has == {p.pk}  # the 120-day-old visit is outside the window
    either = people.filter(spec.condition(["employment", "hardship"], today))
    assert list(either.values_list("pk", flat=True)) == [p.pk]
    assert set(people.exclude(spec.condition("medical", today))
               .values_list("pk", flat=True)) == {q.pk, old.pk}


def test_recent_need_count_is_one_annotation(noted, django_assert_num_queries):
    today, p, q, old = noted
    spec = SPECS["recent_need_count"]
    people = spec.annotate(Person.objects.filter(pk__in=[p.pk, q.pk, old.pk]), today)
    with django_assert_num_queries(1):
        counts = dict(people.values_list("pk", "recent_need_count"))
    assert counts == {p.pk: 2, q.pk: 0, old.pk: 0}


def test_the_rule_engine_reads_the_facts(noted):
    from gridgov.rules import conditions

    today, p, q, old = noted
    rule = conditions.clean_conditions("person", [
        {"fact": "recent_need", "op": "has tag", "value": "medical"},
        {"fact": "recent_need_count", "op": ">=", "value": 2}])
    people = conditions.annotate(Person.objects.filter(pk__in=[p.pk, q.pk, old.pk]),
                                 "person", ["recent_need", "recent_need_count"], today)
    hits = people.filter(conditions.compile_q(rule, "person", "all", today))
    assert list(hits.values_list("pk", flat=True)) == [p.pk]
