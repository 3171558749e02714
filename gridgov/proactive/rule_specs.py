"""What proactive services give the rule engine (``gridgov.rules.registry``).

OUTCOMES
- ``proactive.benefit``: start a benefit of ``params["kind"]`` for the person without
  application (免申即享); an active one of the kind is never doubled; the band of an
  allowance comes from the person's age this month; the person is told by SMS only with
  consent (else the grid worker gets a 待遇告知 task).
- ``proactive.service_task``: open a service task (``kind``, ``title`` template, due in
  ``due_days`` days + ``due_hours`` hours, ``to`` the grid worker of the subject's grid or a
  ``department`` by code) for a person or a place (a hotspot of reports).

FACTS
- ``pension_cert_due_in_days``: days until the person's active pension benefit's next
  certification date (negative: overdue; empty: no pension benefit), in SQL.
"""

import datetime as dt

from django import forms
from django.db.models import DateField, Func, IntegerField, OuterRef, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.rules.registry import FactSpec, OutcomeSpec

from .choices import BenefitKind, BenefitStatus, Target, TaskKind

MAX_DUE_DAYS = 90


class DaysFrom(Func):
    """``date - today`` in whole days, in SQL (PostgreSQL: date minus date is an integer;
    SQLite: the difference of Julian days)."""

    output_field = IntegerField()
    template = "(%(expressions)s::date)"
    arg_joiner = "::date - "

    def __init__(self, expression, today):
        super().__init__(expression, Value(today, output_field=DateField()))

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, arg_joiner=") - julianday(",
                           template="CAST(julianday(%(expressions)s) AS INTEGER)", **extra)


def _pension_due(queryset, today):
    from .models import Benefit

    next_on = (Benefit.objects.filter(person_id=OuterRef("pk"), kind=BenefitKind.PENSION,
                                      status=BenefitStatus.ACTIVE)
               .order_by("next_certification_on").values("next_certification_on")[:1])
    return queryset.annotate(pension_cert_due_in_days=DaysFrom(
        Subquery(next_on, output_field=DateField()), today))


def _explain_pension(value, facts) -> str:
    if value is None:
        return _("无养老金领取资格认证记录")
    if value < 0:
        return _("养老金领取资格认证已逾期 %(n)d 天") % {"n": -value}
    return _("养老金领取资格认证还有 %(n)d 天到期") % {"n": value}


FACTS = [
    FactSpec("pension_cert_due_in_days", gettext_lazy("距养老金资格认证到期天数"),
             subject="person", type="int", annotate=_pension_due, unit=gettext_lazy("天"),
             description=gettext_lazy("本人养老金领取资格下次认证日期减今天(负数为已逾期)。"),
             explain=_explain_pension),
]


# --- parameter forms (edited with the rule) --------------------------------------------------


class BenefitParams(forms.Form):
    """The benefit a rule starts."""

    kind = forms.ChoiceField(label=gettext_lazy("待遇类型"), choices=BenefitKind.choices,
                             initial=BenefitKind.ELDERLY_ALLOWANCE)


def _department_choices():
    from gridgov.accounts.models import Department

    return [("", gettext_lazy("(不指定)"))] + list(
        Department.objects.order_by("code").values_list("code", "name"))


class ServiceTaskParams(forms.Form):
    """The service task a rule opens: its kind, title, deadline and who does it."""

    kind = forms.ChoiceField(label=gettext_lazy("任务类型"), choices=TaskKind.choices)
    title = forms.CharField(
        label=gettext_lazy("任务标题"), max_length=120,
        help_text=gettext_lazy("可用 {name}(对象名称)和条件中的指标代码,如 "
                               "{days_since_contact}。"))
    due_days = forms.IntegerField(label=gettext_lazy("办理时限(天)"), min_value=0,
                                  max_value=MAX_DUE_DAYS, required=False, initial=0)
    due_hours = forms.IntegerField(label=gettext_lazy("办理时限(小时)"), min_value=0,
                                   max_value=23, required=False, initial=24)
    to = forms.ChoiceField(label=gettext_lazy("办理对象"), choices=Target.choices,
                           initial=Target.GRID_WORKER)
    department = forms.ChoiceField(label=gettext_lazy("办理部门"), required=False,
                                   choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _department_choices()

    def clean(self):
        data = super().clean()
        if data.get("to") == Target.DEPARTMENT and not data.get("department"):
            self.add_error("department", _("派给部门时请选择办理部门。"))
        if not (data.get("due_days") or data.get("due_hours")):
            self.add_error("due_hours", _("请填写办理时限。"))
        return data


# --- handlers --------------------------------------------------------------------------------


def explain(rule, firing, facts: dict) -> str:
    """Which rule, which facts: the firing's explanation (规则“…”: 本月年满 80 周岁 …), or
    one made from the facts when the engine wrote none."""
    text = getattr(firing, "explanation", "") if firing is not None else ""
    if text:
        return text
    from gridgov.rules import registry

    parts = []
    for code, value in (facts or {}).items():
        spec = registry.facts().get(code)
        if spec is not None and spec.explain is not None:
            parts.append(str(spec.explain(value, facts)))
        else:
            parts.append(f"{spec.label if spec is not None else code}: {value}")
    return _("规则“%(rule)s”: %(facts)s") % {"rule": rule.name, "facts": "; ".join(parts)}


def benefit_outcome(person, *, rule, firing, facts, params):
    """Start the benefit without application (免申即享)."""
    from . import actions

    return actions.start_benefit(person, kind=params.get("kind") or BenefitKind.ELDERLY_ALLOWANCE,
                                 actor=None, without_application=True, firing=firing,
                                 reason=explain(rule, firing, facts),
                                 today=_today(firing))


def _today(firing):
    """The evaluation date of the firing's run (a run for another day, e.g. a test or a
    re-run, bands the allowance by that day), else the day it fired."""
    run = getattr(firing, "run", None) if getattr(firing, "run_id", None) else None
    if run is not None:
        return run.evaluated_on
    fired = getattr(firing, "fired_at", None)
    return timezone.localdate(fired) if fired else timezone.localdate()


def _place(subject_obj, rule):
    """(grid Area, person or None, subject text) of a rule's subject."""
    from gridgov.areas.models import Area
    from gridgov.basedata.models import Person
    from gridgov.rules import registry

    if isinstance(subject_obj, Person):
        return subject_obj.grid, subject_obj, ""
    spec = registry.subjects().get(rule.subject)
    field = spec.area_field if spec is not None else "area_code"
    code = (subject_obj.get(field) if isinstance(subject_obj, dict)
            else getattr(subject_obj, field, None))
    text = spec.describe(subject_obj) if spec is not None else str(subject_obj)
    return Area.objects.filter(code=code).first(), None, str(text)


def service_task_outcome(subject_obj, *, rule, firing, facts, params):
    """Open the service task for the subject's grid worker (or the department)."""
    from gridgov.accounts.models import Department

    from . import actions

    grid, person, subject = _place(subject_obj, rule)
    values = {k: v for k, v in (facts or {}).items() if isinstance(v, (int, str, float))}
    values["name"] = person.name if person is not None else subject
    values["subject"] = subject or values["name"]
    kind = params.get("kind") or TaskKind.ALERT
    title = actions.render_title(params.get("title") or "{name}", values)
    hours = int(params.get("due_days") or 0) * 24 + int(params.get("due_hours") or 0)
    due_at = (getattr(firing, "fired_at", None) or timezone.now()) + dt.timedelta(
        hours=hours or 24)
    to = params.get("to") or Target.GRID_WORKER
    department = None
    if to == Target.DEPARTMENT:
        department = Department.objects.filter(code=params.get("department") or "").first()
        if department is None:
            to = Target.GRID_WORKER
    return actions.open_task(kind=kind, title=title, grid=grid, person=person,
                             subject=subject, to=to, department=department, due_at=due_at,
                             reason=explain(rule, firing, facts), firing=firing, actor=None)


OUTCOMES = [
    OutcomeSpec("proactive.benefit", gettext_lazy("启动待遇(免申即享)"), subject="person",
                handler=benefit_outcome, params_form=BenefitParams,
                description=gettext_lazy("为该人员启动待遇,不重复发放;高龄津贴按本月达到的年龄定档;"
                                         "本人同意短信告知时发短信,否则由网格员上门告知。")),
    OutcomeSpec("proactive.service_task", gettext_lazy("生成服务任务"), subject="person",
                handler=service_task_outcome, params_form=ServiceTaskParams,
                description=gettext_lazy("给所在网格的网格员(或指定部门)生成服务任务,并站内通知;"
                                         "关爱提醒同时发短信。")),
    OutcomeSpec("proactive.hotspot_task", gettext_lazy("生成主动巡查任务"), subject="hotspot",
                handler=service_task_outcome, params_form=ServiceTaskParams,
                description=gettext_lazy("对同一地点反复反映的问题,给所在网格的网格员(或指定部门)"
                                         "生成主动巡查任务。")),
]
