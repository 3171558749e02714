"""The engine on people with known birth dates, tags and visits: exactly these fire."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.rules import actions
from gridgov.rules.models import Firing
from gridgov.visits.models import Visit

from .support import make_person, mine, rule, years_ago

pytestmark = pytest.mark.django_db


def fired_names(r):
    return sorted(f.subject_label for f in Firing.objects.filter(rule=r))


def test_turning_80_this_month_fires_once_with_the_reason(recorder, gulou_grid):
    today = timezone.localdate()
    born = years_ago(today, 80, day=1 if today.day > 1 else 2)
    make_person(gulou_grid, "满八十", birth_date=born)
    make_person(gulou_grid, "七十九", birth_date=years_ago(today, 79, day=born.day))
    other_month = (today.month % 12) + 1
    make_person(gulou_grid, "下月满", birth_date=dt.date(today.year - 80, other_month, 1))
    make_person(gulou_grid, "无生日")
    r = rule(*mine({"fact": "reaches_age_this_month", "op": "in", "value": [80, 90, 100]}),
             name="年满80周岁高龄津贴", period="year")

    run = actions.run_rules(today=today, rules=[r])

    assert fired_names(r) == ["满八十"]
    assert run.fired == 1 and run.errors == 0
    firing = Firing.objects.get(rule=r)
    assert firing.facts["reaches_age_this_month"] == 80
    assert firing.facts["birth_date"] == born.isoformat()
    assert firing.period_key == str(today.year)
    assert firing.explanation.startswith("规则“年满80周岁高龄津贴”: ")
    assert firing.explanation.endswith(f"; 本月年满 80 周岁 (出生 {born.isoformat()})")
    assert [c["facts"]["reaches_age_this_month"] for c in recorder.calls] == [80]
    audit = AuditRecord.objects.get(action="rules.fire", object_id=str(firing.pk))
    assert audit.changes["rule_name"] == [None, "年满80周岁高龄津贴"]
    assert audit.changes["facts"][1]["reaches_age_this_month"] == 80


def test_age_counts_full_years_at_the_evaluation_date(recorder, gulou_grid):
    today = dt.date(2026, 6, 15)
    make_person(gulou_grid, "昨天满", birth_date=dt.date(1946, 6, 14))
    make_person(gulou_grid, "今天满", birth_date=dt.date(1946, 6, 15))
    make_person(gulou_grid, "明天满", birth_date=dt.date(1946, 6, 16))
    make_person(gulou_grid, "下月满", birth_date=dt.date(1946, 7, 1))
    r = rule(*mine({"fact": "age", "op": ">=", "value": 80}))

    actions.run_rules(today=today, rules=[r])

    assert fired_names(r) == ["今天满", "昨天满"]


def test_living_alone_not_contacted_for_7_days(recorder, gulou_grid):
    today = timezone.localdate()
    now = timezone.now()
    visited_long_ago = make_person(gulou_grid, "九天未访", tags=["独居老人"])
    visited_lately = make_person(gulou_grid, "三天前访", tags=["独居老人"])
    never = make_person(gulou_grid, "从未走访", tags=["独居老人"])
    new = make_person(gulou_grid, "新登记", tags=["独居老人"])
    make_person(gulou_grid, "非独居", tags=["高龄老人"])
    for person, days in ((visited_long_ago, 9), (visited_lately, 3)):
        Visit.objects.create(person=person, area_code=person.area_code,
                             visited_at=now - dt.timedelta(days=days), notes="走访")
    Visit.objects.create(person=visited_lately, area_code=visited_lately.area_code,
                         visited_at=now - dt.timedelta(days=30), notes="更早的走访")
    type(never).objects.filter(pk__in=[never.pk, visited_long_ago.pk, visited_lately.pk]) \
        .update(created_at=now - dt.timedelta(days=60))
    type(new).objects.filter(pk=new.pk).update(
        created_at=now - dt.timedelta(days=60), moved_in_on=today - dt.timedelta(days=2))
    r = rule(*mine({"fact": "living_alone", "op": "=", "value": True},
                   {"fact": "days_since_contact", "op": ">=", "value": 7}),
             name="独居老人7天未联系", period="week")

    actions.run_rules(today=today, rules=[r])

    assert fired_names(r) == ["九天未访", "从未走访"]
    facts = {f.subject_label: f.facts for f in Firing.objects.filter(rule=r)}
    assert facts["九天未访"] == {"tag": "规则测试人群", "living_alone": True,
                              "days_since_contact": 9}
    assert facts["从未走访"]["days_since_contact"] == 60
    assert "已 9 天未联系" in Firing.objects.get(rule=r, subject_label="九天未访").explanation


def test_choices_tags_and_match_any(recorder, gulou_grid):
    make_person(gulou_grid, "男户籍", sex="M")
    make_person(gulou_grid, "女流动", sex="F", registration_type="floating")
    make_person(gulou_grid, "女户籍残疾", sex="F", tags=["残疾人"])
    both = rule(*mine({"fact": "sex", "op": "=", "value": "F"},
                      {"fact": "registration_type", "op": "!=", "value": "floating"}))
    tag_or_floating = rule({"fact": "registration_type", "op": "=", "value": "floating"},
                           {"fact": "tag", "op": "has tag", "value": "残疾人"},
                           match="any", area_code=gulou_grid.code, name="任一")
    no_sex = rule(*mine({"fact": "sex", "op": "is empty"}), name="无性别")

    actions.run_rules(rules=[both, tag_or_floating, no_sex])

    assert fired_names(both) == ["女户籍残疾"]
    assert {"女流动", "女户籍残疾"} <= set(fired_names(tag_or_floating))
    assert "男户籍" not in fired_names(tag_or_floating)
    assert fired_names(no_sex) == []


def test_rule_area_limits_the_people(recorder, gulou_grid, gulou_grid2):
    make_person(gulou_grid, "一网格", sex="M")
    make_person(gulou_grid2, "二网格", sex="M")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}), area_code=gulou_grid2.code)

    actions.run_rules(rules=[r])

    assert fired_names(r) == ["二网格"]
    assert Firing.objects.get(rule=r).area_code == gulou_grid2.code


def test_moved_out_and_dead_people_never_fire(recorder, gulou_grid):
    make_person(gulou_grid, "在住", sex="M")
    make_person(gulou_grid, "已迁出", sex="M", status="moved_out")
    make_person(gulou_grid, "已死亡", sex="M", status="deceased")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))

    actions.run_rules(rules=[r])

    assert fired_names(r) == ["在住"]


# --- idempotency -------------------------------------------------------------------------------


def test_running_twice_fires_once(recorder, gulou_grid):
    make_person(gulou_grid, "甲", sex="M")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}), period="month")
    today = dt.date(2026, 12, 2)

    first = actions.run_rules(today=today, rules=[r])
    second = actions.run_rules(today=today + dt.timedelta(days=3), rules=[r])

    assert (first.fired, second.fired, second.candidates) == (1, 0, 0)
    assert len(recorder.calls) == 1


def test_two_periods_fire_twice(recorder, gulou_grid):
    make_person(gulou_grid, "甲", sex="M")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}), period="month")

    actions.run_rules(today=dt.date(2026, 11, 30), rules=[r])
    actions.run_rules(today=dt.date(2026, 12, 1), rules=[r])

    assert sorted(Firing.objects.filter(rule=r).values_list("period_key", flat=True)) == [
        "2026-11", "2026-12"]


def test_a_concurrent_firing_counts_as_skipped(recorder, gulou_grid):
    person = make_person(gulou_grid, "甲", sex="M")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    spec = actions.registry.subject("person")
    outcome = actions.registry.outcome(r.outcome)
    obj = actions.matching(r, timezone.localdate()).get(pk=person.pk)
    codes = actions.fact_codes(r, "person")

    kwargs = {"key": "once", "today": timezone.localdate(), "codes": codes, "run": None,
              "actor": None}
    assert actions._fire_one(r, spec, outcome, obj, **kwargs) is True
    assert actions._fire_one(r, spec, outcome, obj, **kwargs) is False
    assert Firing.objects.filter(rule=r).count() == 1
    assert len(recorder.calls) == 1


@pytest.mark.parametrize(("period", "key"), [
    ("once", "once"), ("year", "2026"), ("month", "2026-12"), ("week", "2026-W53"),
    ("day", "2026-12-31")])
def test_period_keys(period, key):
    assert actions.period_key(period, dt.date(2026, 12, 31)) == key


def test_edited_rule_takes_effect_on_the_next_run(recorder, gulou_grid):
    make_person(gulou_grid, "男", sex="M")
    make_person(gulou_grid, "女", sex="F")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}), period="day")
    actions.run_rules(today=dt.date(2026, 12, 1), rules=[r])

    r = actions.save_rule(r, name=r.name, subject="person", outcome=r.outcome, period="day",
                          conditions=mine({"fact": "sex", "op": "=", "value": "F"}),
                          expected_version=r.version, actor=None)
    actions.run_rules(today=dt.date(2026, 12, 2), rules=[r])

    rows = Firing.objects.filter(rule=r).order_by("period_key")
    assert [(f.period_key, f.subject_label, f.rule_version) for f in rows] == [
        ("2026-12-01", "男", 1), ("2026-12-02", "女", 2)]


def test_a_retired_rule_does_not_run(recorder, gulou_grid):
    make_person(gulou_grid, "甲", sex="M")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    actions.retire_rule(r, actor=None)

    run = actions.run_rules()

    assert not Firing.objects.filter(rule=r).exists()
    assert r.pk not in [d["rule"] for d in run.detail]


def test_a_failing_outcome_is_counted_and_rolled_back(recorder, gulou_grid):
    from gridgov.rules import registry

    from .support import outcome_spec

    def boom(subject, **kwargs):
        raise RuntimeError("outcome failed")

    registry.register_outcome(outcome_spec(boom, code="rules_test.boom"))
    try:
        make_person(gulou_grid, "甲", sex="M")
        r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}), outcome="rules_test.boom")
        run = actions.run_rules(rules=[r])
    finally:
        registry.unregister_outcome("rules_test.boom")

    assert (run.fired, run.errors) == (0, 1)
    assert not Firing.objects.filter(rule=r).exists()


def test_candidates_are_read_in_batches_of_key_ranges(recorder, gulou_grid, monkeypatch):
    people = [make_person(gulou_grid, f"批{n}", sex="M") for n in range(5)]
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    monkeypatch.setattr(actions, "RANGE", 3)
    monkeypatch.setattr(actions, "CHUNK", 2)
    seen = []
    real = actions._fire_one

    def spy(rule_, spec, outcome, obj, **kwargs):
        seen.append(obj.pk)
        return real(rule_, spec, outcome, obj, **kwargs)

    monkeypatch.setattr(actions, "_fire_one", spy)

    run = actions.run_rules(rules=[r])

    assert run.fired == 5 and sorted(seen) == [p.pk for p in people]


def test_an_integrity_error_of_the_outcome_is_an_error_not_a_skip(recorder, gulou_grid):
    from django.db import IntegrityError

    from gridgov.rules import registry

    from .support import outcome_spec

    def clash(subject, **kwargs):
        raise IntegrityError("the outcome's own unique constraint")

    registry.register_outcome(outcome_spec(clash, code="rules_test.clash"))
    try:
        make_person(gulou_grid, "甲", sex="M")
        r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}), outcome="rules_test.clash")
        run = actions.run_rules(rules=[r])
    finally:
        registry.unregister_outcome("rules_test.clash")

    assert (run.fired, run.skipped, run.errors) == (0, 0, 1)
