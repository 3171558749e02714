"""How runs start: the CLI, the server's once-a-day job, the Celery task."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.test.utils import override_settings

from gridgov.rules import autorun, tasks
from gridgov.rules.models import Firing, RuleRun

from .support import make_person, mine, rule

pytestmark = pytest.mark.django_db


def test_cli_runs_one_rule_for_a_date(recorder, gulou_grid, capsys):
    make_person(gulou_grid, "甲", sex="M")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}), period="month")

    call_command("rules", "run", "--date", "2026-11-03", "--rule", str(r.pk))

    assert Firing.objects.get(rule=r).period_key == "2026-11"
    assert "1 fired" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "2026-13-01"], "--date must be YYYY-MM-DD"),
    (["--rule", "abc"], "--rule must be a rule id"),
    (["--rule", "999999"], "no such rule: 999999"),
])
def test_cli_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rules", "run", *args)


def test_cli_lists_rules(recorder, capsys):
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}), name="列表中的规则")
    call_command("rules", "list")
    assert f"{r.pk}\tactive\tonce\t列表中的规则" in capsys.readouterr().out


def test_the_server_job_runs_once_a_day(recorder, gulou_grid):
    RuleRun.objects.all().delete()  # the demo loader may have run the rules today
    make_person(gulou_grid, "甲", sex="M")
    rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    autorun.reset()
    try:
        with override_settings(GRIDGOV_RULES_RUN_SECONDS=3600):
            ran, first = autorun.job.run_if_due()
            autorun.job.make_due()
            ran_again, second = autorun.job.run_if_due()
        with override_settings(GRIDGOV_RULES_RUN_SECONDS=0):
            autorun.reset()
            off, _ = autorun.job.run_if_due()
    finally:
        autorun.reset()
    assert ran and isinstance(first, RuleRun) and first.errors == 0
    assert ran_again and second is None  # today's run is done
    assert off is False


def test_celery_task_reports_the_run(recorder, gulou_grid):
    RuleRun.objects.all().delete()  # the demo loader may have run the rules today
    make_person(gulou_grid, "甲", sex="M")
    rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    result = tasks.run_rules()
    assert result["fired"] >= 1
    assert tasks.run_rules() is None


def test_run_records_counts_and_an_audit_record(recorder, gulou_grid):
    from gridgov.audit.models import AuditRecord
    from gridgov.rules import actions

    make_person(gulou_grid, "甲", sex="M")
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    run = actions.run_rules(today=dt.date(2026, 12, 2), rules=[r])
    run.refresh_from_db()
    assert (run.status, run.rules_evaluated, run.fired, run.candidates) == ("done", 1, 1, 1)
    assert run.finished_at is not None
    assert AuditRecord.objects.filter(action="rules.run", object_id=str(run.pk)).exists()
