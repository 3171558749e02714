"""The outcomes and the fact through the rule engine: the default rules on fixtures with
known answers, fired once per subject and period, each firing explained."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.proactive.models import Benefit, ServiceTask
from gridgov.rules.models import Firing

from .support import (
    ALERT_RULE,
    BENEFIT_RULE,
    HOTSPOT_RULE,
    PENSION_RULE,
    make_person,
    rule,
    run,
)

pytestmark = pytest.mark.django_db


def test_default_rules_are_seeded():
    assert rule(BENEFIT_RULE).period == "year" and rule(BENEFIT_RULE).is_active
    assert rule(ALERT_RULE).period == "week"
    assert rule(PENSION_RULE).period == "year"
    assert rule(HOTSPOT_RULE).subject == "hotspot" and rule(HOTSPOT_RULE).period == "month"


def test_turning_80_starts_the_allowance_once_with_the_reason(gulou_grid, grid_worker):
    today = timezone.localdate()
    born = dt.date(today.year - 80, today.month, 1)
    person = make_person(gulou_grid, "测满八十", born=born)
    not_yet = make_person(gulou_grid, "测七十九", born=dt.date(today.year - 79, today.month, 1))
    first = run(BENEFIT_RULE, today=today)
    second = run(BENEFIT_RULE, today=today)
    assert second.errors == 0
    benefits = Benefit.objects.filter(person=person)
    assert benefits.count() == 1
    benefit = benefits.get()
    assert benefit.without_application and benefit.tier.min_age == 80
    assert "80" in benefit.reason and BENEFIT_RULE in benefit.reason
    assert benefit.firing.rule.name == BENEFIT_RULE
    assert not Benefit.objects.filter(person=not_yet).exists()
    assert first.fired >= 1
    assert Firing.objects.filter(rule=rule(BENEFIT_RULE), subject_id=str(person.pk)).count() == 1


def test_living_alone_not_contacted_for_7_days_alerts_the_grid_worker(
        gulou_grid, grid_worker, monkeypatch):
    from gridgov.basedata.models import Person

    person = make_person(gulou_grid, "测独居", born=dt.date(1940, 3, 3), tags=["独居老人"])
    contacted = make_person(gulou_grid, "测常联系", born=dt.date(1940, 3, 4), tags=["独居老人"])
    long_ago = timezone.now() - dt.timedelta(days=20)
    Person.objects.filter(pk__in=[person.pk, contacted.pk]).update(created_at=long_ago)
    from gridgov.visits import actions as visits

    visits.record_visit(contacted, notes="身体良好", actor=grid_worker,
                        visited_at=timezone.now() - dt.timedelta(days=1))
    today = timezone.localdate()
    run(ALERT_RULE, today=today)
    run(ALERT_RULE, today=today)
    task = ServiceTask.objects.get(person=person)
    assert task.kind == "alert" and task.assignee == grid_worker and task.state == "open"
    assert task.title == "测独居已20天未联系,请尽快联系"
    assert "20 天未联系" in task.reason
    assert task.due_at > timezone.now() + dt.timedelta(hours=23)
    assert not ServiceTask.objects.filter(person=contacted).exists()


def test_pension_certification_due_opens_a_home_visit(gulou_grid, grid_worker):
    from gridgov.proactive import actions
    from gridgov.rules import registry

    today = timezone.localdate()
    due = make_person(gulou_grid, "测认证到期", born=dt.date(1950, 1, 1))
    later = make_person(gulou_grid, "测认证未到", born=dt.date(1950, 1, 2))
    for person, days in ((due, 20), (later, 60)):
        actions.start_benefit(person, kind="pension", actor=None, started_on=dt.date(2010, 1, 1),
                              next_certification_on=today + dt.timedelta(days=days))
    fact = registry.fact("pension_cert_due_in_days")
    from gridgov.basedata.models import Person

    values = dict(fact.annotate(Person.objects.filter(pk__in=[due.pk, later.pk]), today)
                  .values_list("pk", "pension_cert_due_in_days"))
    assert values == {due.pk: 20, later.pk: 60}
    run(PENSION_RULE, today=today)
    task = ServiceTask.objects.get(person=due)
    assert task.kind == "home_visit" and task.assignee == grid_worker
    assert "20 天到期" in task.reason
    assert not ServiceTask.objects.filter(person=later).exists()


def test_repeated_reports_at_one_place_open_an_inspection(gulou_grid, grid_worker):
    from gridgov.events import actions as events
    from gridgov.events.tests.helpers_command import category, point_in
    from gridgov.rules.rule_specs import CELL_DEGREES

    today = timezone.localdate()
    cat = category()
    lng, lat = point_in(gulou_grid)
    lng = (int(lng / CELL_DEGREES) + 0.5) * CELL_DEGREES
    lat = (int(lat / CELL_DEGREES) + 0.5) * CELL_DEGREES
    for n in range(2):
        events.report_event(source="grid_patrol", description="井盖缺失", lng=lng + n * 0.00005,
                            lat=lat, category=cat)
    run(HOTSPOT_RULE, today=today)
    assert not ServiceTask.objects.filter(kind="inspection", subject__contains=cat.name,
                                          area_code=gulou_grid.code).exists()
    events.report_event(source="grid_patrol", description="井盖又缺了", lng=lng, lat=lat,
                        category=cat)
    fired = run(HOTSPOT_RULE, today=today)
    assert fired.errors == 0
    task = ServiceTask.objects.get(kind="inspection", subject__contains=cat.name,
                                   area_code=gulou_grid.code)
    assert task.person is None and task.assignee == grid_worker and task.state == "open"
    assert task.title.startswith("主动巡查:") and "3 次" in task.title
    assert "上报次数" in task.reason
    run(HOTSPOT_RULE, today=today)
    assert ServiceTask.objects.filter(kind="inspection", subject__contains=cat.name,
                                      area_code=gulou_grid.code).count() == 1


def test_an_administrator_edits_the_rule_and_it_takes_effect(gulou_grid, sys_admin,
                                                             dept_handler):
    from django.core.exceptions import ValidationError

    from gridgov.basedata.models import Person
    from gridgov.rules import actions as rules

    alert = rule(ALERT_RULE)
    fields = dict(name=alert.name, subject="person", outcome="proactive.service_task",
                  conditions=[{"fact": "living_alone", "op": "=", "value": True},
                              {"fact": "days_since_contact", "op": ">=", "value": 30}],
                  period="week", actor=sys_admin)
    with pytest.raises(ValidationError) as exc:
        rules.save_rule(alert, **fields, outcome_params={
            "kind": "alert", "title": "{name}", "due_days": 1, "to": "department"})
    assert "outcome_params.department" in exc.value.message_dict
    rules.save_rule(alert, **fields, outcome_params={
        "kind": "home_visit", "title": "{name}久未联系,请部门上门", "due_days": 2,
        "to": "department", "department": dept_handler.department.code})
    person = make_person(gulou_grid, "测改规则", born=dt.date(1940, 6, 6), tags=["独居老人"])
    Person.objects.filter(pk=person.pk).update(created_at=timezone.now() - dt.timedelta(days=20))
    run(ALERT_RULE, today=timezone.localdate())
    assert not ServiceTask.objects.filter(person=person).exists()  # 20 < 30 days now
    Person.objects.filter(pk=person.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    run(ALERT_RULE, today=timezone.localdate())
    task = ServiceTask.objects.get(person=person)
    assert task.kind == "home_visit" and task.department == dept_handler.department
    assert task.assignee is None and task.title == "测改规则久未联系,请部门上门"
