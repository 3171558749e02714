"""Desktop pages of proactive services (/proactive/): the service tasks (mine for a grid
worker, the areas' for leaders and chiefs), a task with its explanation and the close form,
the 免申即享 benefits of a month, and a person's services with the SMS consent form."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import ActionView, PermissionRequiredMixin, error_text

from . import actions
from .choices import TaskState
from .filtersets import BenefitFilterSet, ServiceTaskFilterSet
from .forms import CloseForm, ConsentForm
from .models import Benefit, Consent, ServiceTask
from .permissions import BENEFITS, CONSENT, VIEW, WORK

PAGE_SIZE = 50


def works_a_grid(scope) -> bool:
    """Whether the principal works proactive tasks only at grid level (a grid worker): their
    list opens on their own tasks; chiefs and leaders see their areas'."""
    codes = scope.codes_for(WORK) if scope is not None else ()
    return bool(codes) and all(len(code) == 15 for code in codes)


def area_names(codes) -> dict:
    from gridgov.areas.models import Area

    codes = {c for c in codes if c}
    if not codes:
        return {}
    return dict(Area.objects.filter(code__in=codes).values_list("code", "name"))


def area_select(filterset, scope, perm) -> None:
    """Show the area filter as a list of the communities and grids of the principal's areas
    (the value stays an area code, so the API and the page filter alike)."""
    from django import forms

    from gridgov.areas.models import Area

    areas = []
    if scope is not None and scope.codes_for(perm, department_bound=False):
        areas = list(Area.objects.filter(level__in=("community", "grid"))
                     .filter(scope.area_q("code", perm, department_bound=False))
                     .order_by("code").only("code", "name", "level")[:500])
    if areas:
        filterset.form.fields["area"].label = _("社区/网格")
        filterset.form.fields["area"].widget = forms.Select(choices=[("", _("全部"))] + [
            (a.code, ("　" if a.level == "grid" else "") + a.name) for a in areas])


def task_rows(queryset):
    return queryset.select_related("person", "assignee", "department")


def facts_table(task) -> list[tuple]:
    """(label, value) rows of the firing's facts (the explanation of the task)."""
    firing = task.firing
    if firing is None:
        return []
    try:
        from gridgov.rules import registry

        specs = registry.facts()
    except Exception:  # noqa: BLE001  (a fact no longer declared keeps its code)
        specs = {}
    rows = []
    for code, value in (firing.facts or {}).items():
        spec = specs.get(code)
        label = spec.label if spec is not None else code
        unit = spec.unit if spec is not None else ""
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        rows.append((label, f"{value}{unit}" if value not in (None, "") else "—"))
    return rows


class TaskListView(PermissionRequiredMixin, View):
    """服务任务: open first by deadline; a grid worker starts on their own (mine)."""

    permission = VIEW

    def get(self, request):
        data = request.GET.copy()
        if not data:
            data["state"] = TaskState.OPEN
            if works_a_grid(self.scope):
                data["mine"] = "true"
        queryset = task_rows(ServiceTask.objects.restrict(request.user, "view"))
        filterset = ServiceTaskFilterSet(data, queryset=queryset, request=request)
        area_select(filterset, self.scope, VIEW)
        status = 200
        if filterset.is_valid():
            queryset = filterset.qs
        else:
            queryset, status = queryset.none(), 400
        page = Paginator(queryset.order_by("due_at", "id"), PAGE_SIZE).get_page(
            request.GET.get("page"))
        now = timezone.now()
        names = area_names(t.area_code for t in page.object_list)
        rows = [{"t": t, "overdue": t.is_overdue(now), "grid": names.get(t.area_code, "")}
                for t in page.object_list]
        return render(request, "proactive/tasks.html", {
            "filter": filterset, "rows": rows, "page_obj": page, "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1}, status=status)


class TaskDetailView(PermissionRequiredMixin, View):
    """One task: who, what, until when, why (the rule and its facts), and the close form."""

    permission = VIEW

    def get(self, request, pk, form=None, status=200):
        task = get_object_or_404(
            task_rows(ServiceTask.objects.restrict(request.user, "view"))
            .select_related("firing__rule", "closed_by", "closing_visit", "grid"), pk=pk)
        can_close = task.is_open and ServiceTask.objects.restrict(
            request.user, "change").filter(pk=task.pk).exists()
        visit_url = ""
        if task.person_id and task.is_open and self.scope.covers(task.area_code,
                                                                  "visits.visit"):
            visit_url = reverse("field:visits-new", args=[task.person_id])
        return render(request, "proactive/task.html", {
            "task": task, "facts": facts_table(task), "overdue": task.is_overdue(),
            "can_close": can_close, "form": form or CloseForm(), "visit_url": visit_url},
            status=status)


class TaskCloseView(ActionView):
    """POST: close the task with a note (``actions.close_task``)."""

    permission = WORK
    model = ServiceTask

    def back_url(self):
        return reverse("proactive:task", args=[self.kwargs["pk"]])

    def post(self, request, pk):
        task = self.get_object()
        form = CloseForm(request.POST)
        if form.is_valid():
            try:
                actions.close_task(task, actor=request.user, note=form.cleaned_data["note"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except PermissionDenied as exc:
                messages.error(request, error_text(exc))
                return redirect(self.back_url())
            else:
                messages.success(request, _("服务任务已办结。"))
                return redirect(self.back_url())
        return _show(TaskDetailView, self, request, pk, form)


class BenefitListView(PermissionRequiredMixin, View):
    """免申即享: the benefits started in a month (with the reason) and those stopped."""

    permission = BENEFITS

    def get(self, request):
        today = timezone.localdate()
        data = request.GET.copy()
        data.setdefault("month", today.strftime("%Y-%m"))
        base = Benefit.objects.restrict(request.user, "view").select_related("person", "tier")
        filterset = BenefitFilterSet(data, queryset=base, request=request)
        area_select(filterset, self.scope, BENEFITS)
        status = 200
        started = stopped = base.none()
        month = today.replace(day=1)
        if filterset.is_valid():
            month = dt.datetime.strptime(filterset.form.cleaned_data["month"], "%Y-%m").date()
            end = (month + dt.timedelta(days=32)).replace(day=1)
            qs = filterset.qs
            started = qs.filter(started_on__gte=month, started_on__lt=end).order_by(
                "-started_on", "-pk")
            stopped = qs.filter(stopped_on__gte=month, stopped_on__lt=end).order_by(
                "-stopped_on", "-pk")
        else:
            status = 400
        page = Paginator(started, PAGE_SIZE).get_page(request.GET.get("page"))
        stopped = list(stopped[:PAGE_SIZE])
        names = area_names([b.area_code for b in page.object_list]
                           + [b.area_code for b in stopped])
        for benefit in [*page.object_list, *stopped]:
            benefit.grid_name = names.get(benefit.area_code, benefit.area_code)
        return render(request, "proactive/benefits.html", {
            "filter": filterset, "started": page.object_list, "stopped": stopped,
            "page_obj": page, "paginator": page.paginator, "month": month,
            "is_paginated": page.paginator.num_pages > 1}, status=status)


def visible_person(scope, pk, perm=VIEW):
    from gridgov.basedata.models import Person

    if scope is None:
        raise Http404
    # Area roles only: a department handler reaches its department's tasks, not people.
    return get_object_or_404(Person.objects.filter(
        scope.area_q("area_code", perm, department_bound=False)), pk=pk)


class PersonView(PermissionRequiredMixin, View):
    """A person's services: benefits, service tasks, and the SMS consent (history + form)."""

    permission = VIEW

    def get(self, request, pk, form=None, status=200):
        person = visible_person(self.scope, pk)
        benefits = list(Benefit.objects.restrict(request.user, "view").filter(person=person)
                        .select_related("tier"))
        tasks = list(task_rows(ServiceTask.objects.restrict(request.user, "view")
                               .filter(person=person)).order_by("-created_at")[:30])
        consents = list(Consent.objects.restrict(request.user, "view").filter(person=person)
                        .select_related("recorded_by")[:20])
        can_consent = self.scope.covers(person.area_code, CONSENT)
        return render(request, "proactive/person.html", {
            "person": person, "benefits": benefits, "tasks": tasks, "consents": consents,
            "consent": consents[0] if consents else None, "can_consent": can_consent,
            "form": form or ConsentForm()}, status=status)


class ConsentView(PermissionRequiredMixin, View):
    """POST: record the person's SMS consent (``actions.record_consent``)."""

    permission = CONSENT

    def post(self, request, pk):
        person = visible_person(self.scope, pk, CONSENT)
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                actions.record_consent(person, agreed=form.cleaned_data["agreed"],
                                       note=form.cleaned_data["note"], actor=request.user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("已登记告知意愿。"))
                return redirect("proactive:person", pk=person.pk)
        return _show(PersonView, self, request, pk, form)


def _show(view_class, poster, request, pk, form):
    """Render the page a form was posted from again, with the form's errors (400)."""
    view = view_class()
    view.setup(request, pk=pk)
    view.scope = poster.scope
    return view.get(request, pk, form=form, status=400)


app_name = "proactive"
urlpatterns = [
    path("", TaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>/", TaskDetailView.as_view(), name="task"),
    path("tasks/<int:pk>/close/", TaskCloseView.as_view(), name="task_close"),
    path("benefits/", BenefitListView.as_view(), name="benefits"),
    path("people/<int:pk>/", PersonView.as_view(), name="person"),
    path("people/<int:pk>/consent/", ConsentView.as_view(), name="consent"),
]
