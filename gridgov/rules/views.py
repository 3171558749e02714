"""Desktop pages of the rule engine: the rules, the rule editor (the administrator's), a
rule's preview, the firings of the viewer's areas, and the run-now button."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import ActionView, PermissionRequiredMixin, error_text

from . import actions, registry
from .conditions import OPERATORS, describe_condition
from .display import visible_label
from .filtersets import FiringFilterSet
from .forms import ConditionFormSet, FiringFilterForm, RuleForm, params_form_class
from .models import Firing, Rule, RuleRun
from .permissions import MANAGE, VIEW

PAGE_SIZE = 50


def _labels(rule):
    subject = registry.subjects().get(rule.subject)
    outcome = registry.outcomes().get(rule.outcome)
    rule.subject_label = subject.label if subject else rule.subject
    rule.outcome_label = outcome.label if outcome else _("(未知结果 %(c)s)") % {"c": rule.outcome}
    rule.conditions_text = [describe_condition(c, rule.subject) for c in rule.conditions]
    return rule


def _area_names(codes) -> dict:
    from gridgov.areas.models import Area

    codes = {c for c in codes if c}
    return dict(Area.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def _scoped_areas(scope):
    from gridgov.areas.models import Area

    q = scope.area_q("code", VIEW) | scope.area_q("code", MANAGE)
    return list(Area.objects.filter(level__in=("community", "grid")).filter(q)
                .order_by("code").only("code", "name", "level")[:500])


def _run_job(request) -> dict:
    """The run-now job of ``?job=<uid>`` (the person's own), for its progress and figures."""
    from gridgov.background.models import BackgroundJob
    from gridgov.background.views import job_context

    uid = request.GET.get("job", "")
    if not uid:
        return {}
    try:
        job = (BackgroundJob.objects.restrict(request.user)
               .filter(kind="rules.run", uid=uid).first())
    except ValidationError:
        job = None
    if job is None:
        raise Http404(_("没有这个运行作业。"))
    return job_context(job)


class RuleListView(PermissionRequiredMixin, View):
    """规则: every rule with its conditions, outcome and period; the firings of the viewer's
    areas counted; the last runs and the run-now button for the administrator."""

    permission = (VIEW, MANAGE)

    def get(self, request):
        in_scope = (self.scope.area_q("firings__area_code", VIEW)
                    | self.scope.area_q("firings__area_code", MANAGE))
        rules = list(Rule.objects.restrict(request.user, "view")
                     .annotate(firing_count=Count("firings", filter=in_scope))
                     .order_by("-is_active", "name", "pk"))
        names = _area_names(r.area_code for r in rules)
        for rule in rules:
            _labels(rule)
            rule.area_name = names.get(rule.area_code, rule.area_code)
        can_manage = self.scope.can(MANAGE)
        runs = list(RuleRun.objects.restrict(request.user, "view")[:5]) if can_manage else []
        context = {"rules": rules, "runs": runs, "can_manage": can_manage}
        context.update(_run_job(request))
        return render(request, "rules/list.html", context)


class RulePreviewView(PermissionRequiredMixin, View):
    """A rule and who it would fire for now (inside the viewer's areas): the count and the
    first 20 with their facts."""

    permission = (VIEW, MANAGE)

    def get(self, request, pk):
        rule = get_object_or_404(Rule.objects.restrict(request.user, "view"), pk=pk)
        _labels(rule)
        raw = request.GET.get("date") or ""
        error, today = "", None
        if raw:
            try:
                today = dt.date.fromisoformat(raw)
            except ValueError:
                error = _("请填写有效日期,例如 2026-12-01。")
        try:
            preview = actions.preview_rule(rule, actor=request.user, today=today)
        except ValidationError as exc:
            preview, error = None, error_text(exc)
        return render(request, "rules/preview.html", {
            "rule": rule, "preview": preview, "error": error, "date": raw,
            "fact_labels": _fact_labels(rule.subject),
            "can_manage": self.scope.can(MANAGE)}, status=400 if error else 200)


def _fact_labels(subject) -> dict:
    return {code: spec.label for code, spec in registry.facts(subject).items()}


def _fact_types() -> dict:
    """What the editor's script needs: each fact's type and the operators it allows."""
    return {"facts": {code: spec.type for code, spec in registry.facts().items()},
            "operators": {kind: list(ops) for kind, ops in OPERATORS.items()}}


class RuleEditView(PermissionRequiredMixin, View):
    """GET the form; POST: 刷新 (new subject or outcome: new choices), 预览 (the unsaved rule's
    preview) or 保存 (``actions.save_rule``, audited; effective at the next run)."""

    permission = MANAGE

    def rule(self, pk):
        if pk is None:
            return None
        return get_object_or_404(Rule.objects.restrict(self.request.user, "change"), pk=pk)

    def forms(self, data=None, rule=None, *, refresh=False):
        """The rule form, the conditions formset and the outcome's parameter form: bound to
        ``data`` (a POST), or filled from ``rule``; ``refresh``: unbound, filled from the
        POST (new subject or outcome: new choices, no errors yet)."""
        initial = {"is_active": True, "subject": "person"}
        conditions, params = [], {}
        if rule is not None:
            initial = {"name": rule.name, "description": rule.description,
                       "subject": rule.subject, "match": rule.match, "outcome": rule.outcome,
                       "period": rule.period, "area_code": rule.area_code,
                       "is_active": rule.is_active, "expected_version": rule.version}
            conditions = [{"fact": c["fact"], "op": c["op"], "value": _value_text(c["value"])}
                          for c in rule.conditions]
            params = rule.outcome_params
        if refresh:
            initial = {name: data.get(name) for name in RuleForm.base_fields}
            initial["is_active"] = bool(data.get("is_active"))
            total = _int(data.get("cond-TOTAL_FORMS"))
            conditions = [{k: data.get(f"cond-{n}-{k}", "") for k in ("fact", "op", "value")}
                          for n in range(min(total, 20))
                          if not data.get(f"cond-{n}-DELETE")]
            params = {k[len("params-"):]: v for k, v in data.items() if k.startswith("params-")}
            data = None
        form = RuleForm(data, initial=initial)
        subject = (data or {}).get("subject") or initial.get("subject")
        formset = ConditionFormSet(data, initial=conditions or None, prefix="cond",
                                   form_kwargs={"subject": subject})
        choices = [code for code, _label in form.fields["outcome"].choices if code]
        outcome = (data or {}).get("outcome") or initial.get("outcome")
        if outcome not in choices:
            outcome = choices[0] if choices else ""
            form.initial["outcome"] = outcome
        params_class = params_form_class(outcome)
        params_form = None
        if params_class is not None:
            bound = data is not None and data.get("params_for") == outcome
            params_form = (params_class(data, prefix="params") if bound
                           else params_class(prefix="params", initial=params))
            params_form.outcome = outcome
        return form, formset, params_form

    def show(self, request, rule, form, formset, params_form, *, preview=None, status=200):
        return render(request, "rules/form.html", {
            "rule": rule, "form": form, "formset": formset, "params_form": params_form,
            "preview": preview, "fact_types": _fact_types(),
            "fact_labels": _fact_labels(form["subject"].value())}, status=status)

    def get(self, request, pk=None):
        rule = self.rule(pk)
        return self.show(request, rule, *self.forms(None, rule))

    def post(self, request, pk=None):
        rule = self.rule(pk)
        form, formset, params_form = self.forms(request.POST, rule)
        if "refresh" in request.POST:
            return self.show(request, rule, *self.forms(request.POST, rule, refresh=True))
        valid = form.is_valid() & formset.is_valid()
        if params_form is not None:
            valid &= params_form.is_valid()
        if not valid:
            return self.show(request, rule, form, formset, params_form, status=400)
        data = form.cleaned_data
        conditions = [c for f in formset.forms
                      if not (formset.can_delete and f.cleaned_data.get("DELETE"))
                      for c in [f.condition()] if c is not None]
        values = {"name": data["name"], "description": data["description"],
                  "subject": data["subject"], "conditions": conditions, "match": data["match"],
                  "outcome": data["outcome"], "period": data["period"],
                  "area_code": data["area_code"],
                  "outcome_params": {k: request.POST.get(f"params-{k}")
                                     for k in params_form.fields}
                  if params_form is not None else {}}
        try:
            if "preview" in request.POST:
                cleaned = actions.clean_rule(**values)
                unsaved = Rule(**cleaned, version=rule.version if rule else 1)
                unsaved.pk = rule.pk if rule else None
                preview = actions.preview_rule(unsaved, actor=request.user)
                return self.show(request, rule, form, formset, params_form,
                                 preview=preview)
            saved = actions.save_rule(rule, **values, is_active=data["is_active"],
                                      expected_version=data["expected_version"],
                                      actor=request.user)
        except actions.StaleVersion as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _attach_errors(exc, form, formset, params_form)
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("规则已保存,下次运行时生效。"))
            return redirect(reverse("rules:list") + f"#rule-{saved.pk}")
        return self.show(request, rule, form, formset, params_form, status=400)


def _int(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def _value_text(value) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _attach_errors(exc, form, formset, params_form):
    """The action's errors next to their fields: conditions.<n>.<field> to the n-th condition
    form, outcome_params.<field> to the outcome's form, the rest to the rule form."""
    for field, errors in exc.message_dict.items():
        parts = field.split(".")
        if parts[0] == "conditions" and len(parts) == 3 and parts[1].isdigit():
            forms_ = [f for f in formset.forms if f.cleaned_data.get("fact")
                      and not f.cleaned_data.get("DELETE")]
            index = int(parts[1])
            if index < len(forms_):
                target = forms_[index]
                target.add_error(parts[2] if parts[2] in target.fields else None, errors)
                continue
        if parts[0] == "conditions" and len(parts) == 1:
            if not any(f.errors for f in formset.forms):
                form.add_error(None, errors)
            continue
        if parts[0] == "outcome_params" and params_form is not None:
            name = parts[1] if len(parts) > 1 else None
            if name in params_form.fields:
                params_form.add_error(name, errors)
            continue
        form.add_error(field if field in form.fields else None, errors)


class RuleRetireView(ActionView):
    """停用: the rule stops firing (its firings stay)."""

    permission = MANAGE
    model = Rule

    def run(self, request, pk):
        rule = self.get_object()
        try:
            actions.retire_rule(rule, expected_version=request.POST.get("expected_version")
                                or None, actor=request.user)
        except actions.StaleVersion as exc:
            raise ValidationError(str(exc)) from None
        return _("规则已停用。")

    def back_url(self, request, *args, **kwargs):
        return reverse("rules:list")


class RunNowView(PermissionRequiredMixin, View):
    """立即运行: every active rule, now (the nightly run does the same), as a background job
    (a district's rules over a million people take a minute or more): the list page shows
    its progress and then its figures."""

    permission = MANAGE

    def post(self, request):
        from gridgov.background.actions import submit_job

        job = submit_job("rules.run", actor=request.user)
        return redirect(f"{reverse('rules:list')}?job={job.uid}")


def firing_rows(user, params=None):
    """The firings the user may see (newest first), filtered (FiringFilterSet)."""
    qs = Firing.objects.restrict(user, "view").select_related("rule").order_by("-fired_at",
                                                                              "-pk")
    filterset = FiringFilterSet(params or {}, queryset=qs)
    return filterset


class FiringListView(PermissionRequiredMixin, View):
    """规则触发记录: which rule fired for whom, when and why, inside the viewer's areas."""

    permission = (VIEW, MANAGE)

    def get(self, request):
        areas = _scoped_areas(self.scope)
        rules = list(Rule.objects.restrict(request.user, "view").order_by("name")
                     .only("pk", "name"))
        form = FiringFilterForm(request.GET or None, rules=rules, areas=areas)
        status = 200
        params = {}
        if form.is_bound:
            if form.is_valid():
                params = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            else:
                status = 400
        filterset = firing_rows(request.user, params)
        if not filterset.is_valid():
            status = 400
            qs = Firing.objects.none()
        else:
            qs = filterset.qs
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        names = {a.code: a.name for a in areas}
        rows = [{"f": f, "label": visible_label(request.user, f),
                 "area": names.get(f.area_code, f.area_code)} for f in page.object_list]
        return render(request, "rules/firings.html", {
            "form": form, "rows": rows, "page_obj": page, "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1}, status=status)


app_name = "rules"
urlpatterns = [
    path("", RuleListView.as_view(), name="list"),
    path("new/", RuleEditView.as_view(), name="new"),
    path("<int:pk>/edit/", RuleEditView.as_view(), name="edit"),
    path("<int:pk>/", RulePreviewView.as_view(), name="preview"),
    path("<int:pk>/retire/", RuleRetireView.as_view(), name="retire"),
    path("run/", RunNowView.as_view(), name="run"),
    path("firings/", FiringListView.as_view(), name="firings"),
]
