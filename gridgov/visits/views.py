"""Desktop pages of visits: the overdue list by area, a person's visit history, the plan
editor (the administrator's), and the visit photos (served to who may see the visit)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import PermissionRequiredMixin, error_text

from . import actions
from .forms import OverdueFilterForm, PlanForm
from .models import Visit, VisitPhoto, VisitPlan, VisitSchedule
from .permissions import MANAGE_PLANS, VIEW, VISIT

PAGE_SIZE = 50


def care_tags():
    from gridgov.basedata.models import Tag

    return list(Tag.objects.filter(kind="care").order_by("name"))


def visible_person(user, pk):
    """A person the user may see (``Person.objects.restrict``) inside the areas where the user
    holds ``visits.view`` (else 404)."""
    from gridgov.basedata.models import Person
    from gridgov.core.access import get_scope

    scope = get_scope(user)
    if scope is None:
        raise Http404
    return get_object_or_404(
        Person.objects.restrict(user, "view").filter(scope.area_q("area_code", VIEW)), pk=pk)


def due_rows(user, *, state="overdue", area="", tag=None, q="", today=None):
    """The governing open schedules inside the user's areas (one per person), due first:
    one indexed query (``visits_schedule_due``)."""
    today = today or timezone.localdate()
    qs = (VisitSchedule.objects.restrict(user, "view")
          .filter(governing=True, closed_at__isnull=True)
          .select_related("person", "plan__tag").order_by("next_due", "id"))
    if state == "overdue":
        qs = qs.filter(next_due__lt=today)
    elif state == "week":
        qs = qs.filter(next_due__lte=today + dt.timedelta(days=7))
    if area:
        qs = qs.filter(area_code__startswith=area)
    if tag:
        qs = qs.filter(person__tags=tag)
    if q:
        qs = qs.filter(person__name__contains=q)
    return qs


class OverdueView(PermissionRequiredMixin, View):
    """走访: the people in care due or overdue a visit, by community and grid."""

    permission = VIEW

    def get(self, request):
        from gridgov.areas.models import Area

        codes = self.scope.codes_for(VIEW)
        areas = []
        if codes:
            areas = list(Area.objects.filter(level__in=("community", "grid"))
                         .filter(self.scope.area_q("code", VIEW))
                         .order_by("code").only("code", "name", "level")[:500])
        tags = care_tags()
        form = OverdueFilterForm(request.GET or None, areas=areas, tags=tags)
        state, area, tag, q = "overdue", "", None, ""
        status = 200
        if form.is_bound:
            if form.is_valid():
                data = form.cleaned_data
                state = data["state"] or "overdue"
                area, tag, q = data["area"], data["tag"], data["q"].strip()
            else:
                status = 400
        qs = due_rows(request.user, state=state, area=area, tag=tag, q=q)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        names = {a.code: a.name for a in areas}
        rows = [{"s": s, "days": s.days_overdue(today), "grid": names.get(s.area_code, s.area_code)}
                for s in page.object_list]
        return render(request, "visits/overdue.html", {
            "form": form, "rows": rows, "page_obj": page, "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1, "state": state,
            "can_plans": self.scope.can(MANAGE_PLANS)}, status=status)


class PersonView(PermissionRequiredMixin, View):
    """A person's visits (newest first) and schedules, open and closed."""

    permission = VIEW

    def get(self, request, pk):
        person = visible_person(request.user, pk)
        visits = Paginator(Visit.objects.restrict(request.user, "view").filter(person=person)
                           .prefetch_related("photos"), 30).get_page(request.GET.get("page"))
        schedules = list(VisitSchedule.objects.restrict(request.user, "view")
                         .filter(person=person).select_related("plan__tag")
                         .order_by("closed_at", "next_due"))
        tags = [t for t in person.tags.all() if not t.restricted]
        return render(request, "visits/person.html", {
            "person": person, "visits": visits, "schedules": schedules, "tags": tags,
            "today": timezone.localdate(),
            "can_visit": self.scope.covers(person.area_code, VISIT)})


class PhotoView(PermissionRequiredMixin, View):
    """A visit photo, to who may see the visit (private: never cached by shared caches)."""

    permission = VIEW

    def get(self, request, pk):
        photo = get_object_or_404(VisitPhoto.objects.restrict(request.user, "view"), pk=pk)
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=86400"
        return response


class PlanListView(PermissionRequiredMixin, View):
    permission = (MANAGE_PLANS, VIEW)

    def get(self, request):
        from gridgov.areas.models import Area

        plans = list(VisitPlan.objects.restrict(request.user, "view").select_related("tag"))
        names = dict(Area.objects.filter(code__in={p.area_code for p in plans if p.area_code})
                     .values_list("code", "name"))
        for plan in plans:
            plan.area_name = names.get(plan.area_code, plan.area_code)
        return render(request, "visits/plans.html", {
            "plans": plans, "can_edit": self.scope.can(MANAGE_PLANS)})


class PlanEditView(PermissionRequiredMixin, View):
    """GET the form, POST through ``actions.save_plan`` (audited; schedules recomputed)."""

    permission = MANAGE_PLANS

    def plan(self, pk):
        if pk is None:
            return None
        return get_object_or_404(VisitPlan.objects.restrict(self.request.user, "change")
                                 .select_related("tag"), pk=pk)

    def show(self, request, plan, form, status=200):
        return render(request, "visits/plan_form.html", {"plan": plan, "form": form},
                      status=status)

    def get(self, request, pk=None):
        plan = self.plan(pk)
        initial = {"is_active": True}
        if plan is not None:
            initial = {"tag": plan.tag_id, "area_code": plan.area_code,
                       "interval_days": plan.interval_days, "note": plan.note,
                       "is_active": plan.is_active, "expected_version": plan.version}
        return self.show(request, plan, PlanForm(initial=initial, tags=care_tags()))

    def post(self, request, pk=None):
        from gridgov.basedata.models import Tag

        plan = self.plan(pk)
        form = PlanForm(request.POST, tags=care_tags())
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = actions.save_plan(
                    plan, tag=Tag.objects.get(pk=data["tag"]), area_code=data["area_code"],
                    interval_days=data["interval_days"], note=data["note"],
                    is_active=data["is_active"], expected_version=data["expected_version"],
                    actor=request.user)
            except actions.StaleVersion as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except PermissionDenied as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("走访计划已保存,走访排期已按新计划重新计算。"))
                return redirect(reverse("visits:plans") + f"#plan-{saved.pk}")
        return self.show(request, plan, form, status=400)


class PlanRetireView(PermissionRequiredMixin, View):
    permission = MANAGE_PLANS

    def post(self, request, pk):
        plan = get_object_or_404(VisitPlan.objects.restrict(request.user, "change"), pk=pk)
        try:
            actions.retire_plan(plan, expected_version=request.POST.get("expected_version")
                                or None, actor=request.user)
        except actions.StaleVersion as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("走访计划已停用。"))
        return redirect("visits:plans")


app_name = "visits"
urlpatterns = [
    path("", OverdueView.as_view(), name="overdue"),
    path("people/<int:pk>/", PersonView.as_view(), name="person"),
    path("photos/<int:pk>/", PhotoView.as_view(), name="photo"),
    path("plans/", PlanListView.as_view(), name="plans"),
    path("plans/new/", PlanEditView.as_view(), name="plan_new"),
    path("plans/<int:pk>/", PlanEditView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/retire/", PlanRetireView.as_view(), name="plan_retire"),
]
