"""The command room's task pages: /tasks/ (list), /tasks/new/ (新建任务), /tasks/<id>/
(detail with history and result), cancel and reassign buttons, result photos."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from gridgov.areas.models import Area
from gridgov.core.querysets import VIEW
from gridgov.core.views import ActionView, PermissionRequiredMixin, error_text
from gridgov.events.attachments import EXTENSIONS

from .. import actions, dispatching
from ..choices import OPEN_STATES
from ..filtersets import TaskFilterSet
from ..forms import ASSIGN_NEAREST, TaskForm
from ..lookups import find_assignee, find_target, workers_in
from ..models import Task, TaskAttachment

VIEW_PERMS = ("tasks.view", "tasks.work")


def open_first(qs):
    """Open tasks first (the soonest due first), then the rest, newest first."""
    return qs.annotate(closed=Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1),
                                   output_field=IntegerField())
                       ).order_by("closed", F("due_at").asc(nulls_last=True), "-created_at",
                                  "-id")


class TaskListView(PermissionRequiredMixin, View):
    """指挥任务 list with filters (kind, state, area, overdue), open ones first."""

    permission = VIEW_PERMS

    def get(self, request):
        base = Task.objects.restrict(request.user, VIEW).select_related("grid", "assignee",
                                                                          "event")
        filterset = TaskFilterSet(request.GET or None, queryset=base, request=request)
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
        page = Paginator(open_first(qs), 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "tasks/list.html", {
            "filter": filterset, "page": page, "query": query.urlencode(),
            "filtered": bool(request.GET.get("kind") or request.GET.get("state")
                             or request.GET.get("grid") or request.GET.get("overdue")),
            "can_assign": self.scope.can("tasks.assign")})


class TaskCreateView(PermissionRequiredMixin, View):
    """新建任务: GET the form (``?event=<number>`` / ``?grid=<code>`` prefill it and show the
    workers on duty in that grid's street with their distance), POST assigns it."""

    permission = "tasks.assign"

    def grids(self):
        return Area.objects.filter(self.scope.area_q("code", "tasks.assign"),
                                   level="grid").order_by("code")

    def context(self, form, grid=None, event=None):
        point = None
        if event is not None:
            point = (event.lng, event.lat)
        elif grid is not None:
            point = (grid.centroid_lng, grid.centroid_lat)
        on_duty = dispatching.candidates(grid.code, point) if grid is not None else None
        return {"form": form, "grid": grid, "event": event, "on_duty": on_duty}

    def _form(self, data=None, initial=None):
        return TaskForm(data, initial=initial, grids=self.grids(),
                        workers=workers_in(self.scope.codes_for("tasks.assign")))

    def get(self, request):
        initial, grid, event = {}, None, None
        try:
            targets = find_target(request.user, grid=request.GET.get("grid", ""),
                                  event=request.GET.get("event", ""))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            targets = {"grid": None, "event": None}
        event = targets["event"]
        grid = targets["grid"] or (event.grid if event is not None else None)
        if grid is not None and not self.scope.covers(grid.code, "tasks.assign"):
            grid = None
        if event is not None:
            initial.update(event=event.number, kind="verify",
                           title=_("核查事件 %(n)s") % {"n": event.number})
        if grid is not None:
            initial["grid"] = grid.code
        if "assign_to" in request.GET:
            initial["assign_to"] = request.GET["assign_to"]
        return render(request, "tasks/form.html",
                      self.context(self._form(initial=initial), grid, event))

    def post(self, request):
        form = self._form(request.POST)
        grid = event = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                targets = find_target(request.user, grid=data["grid"], event=data["event"])
                grid, event = targets["grid"], targets["event"]
                nearest = data["assign_to"] == ASSIGN_NEAREST
                task = actions.assign_task(
                    kind=data["kind"], title=data["title"], instructions=data["instructions"],
                    grid=grid, event=event, lng=data["lng"], lat=data["lat"],
                    due_at=data["due_at"], nearest=nearest,
                    assignee=None if nearest else find_assignee(data["assignee"]),
                    actor=request.user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    name = "assign_to" if field == "nearest" else field
                    form.add_error(name if name in form.fields else None, errors)
            except PermissionDenied as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("任务已派给 %(name)s。") % {"name": task.assignee})
                return redirect("tasks:detail", pk=task.pk)
        if grid is None and form.data.get("grid"):
            grid = self.grids().filter(code=form.data["grid"]).first()
        return render(request, "tasks/form.html", self.context(form, grid, event), status=400)


class TaskDetailView(PermissionRequiredMixin, View):
    """One task: what, where, to whom, its history (every assignee kept) and the result."""

    permission = VIEW_PERMS

    def get(self, request, pk):
        task = get_object_or_404(Task.objects.restrict(request.user, VIEW).select_related(
            "grid", "event", "assignee", "assigned_by", "person", "house"), pk=pk)
        steps = task.steps.select_related("actor", "assignee")
        photos = [{"name": a.name, "url": reverse("tasks:photo", args=[task.pk, a.pk])}
                  for a in task.attachments.all()]
        can_change = (task.is_open and self.scope.can("tasks.assign")
                      and self.scope.covers(task.area_code, "tasks.assign"))
        workers = (workers_in([dispatching.street_code(task.area_code)]).exclude(
            pk=task.assignee_id) if can_change else [])
        return render(request, "tasks/detail.html", {
            "task": task, "steps": steps, "photos": photos, "can_change": can_change,
            "workers": workers})


class TaskCancelView(ActionView):
    """取消 button of the detail page."""

    permission = "tasks.assign"
    model = Task

    def run(self, request, pk):
        try:
            actions.cancel_task(self.get_object(), reason=request.POST.get("reason", ""),
                                expected_version=request.POST.get("expected_version"),
                                actor=request.user)
        except actions.Conflict as exc:
            raise ValidationError(str(exc)) from None
        return _("任务已取消。")

    def back_url(self, request, pk):
        return reverse("tasks:detail", args=[pk])


class TaskReassignView(ActionView):
    """改派 form of the detail page (a named worker or the nearest on duty)."""

    permission = "tasks.assign"
    model = Task

    def run(self, request, pk):
        nearest = request.POST.get("assign_to") == ASSIGN_NEAREST
        try:
            task = actions.reassign_task(
                self.get_object(), nearest=nearest,
                assignee=None if nearest else find_assignee(request.POST.get("assignee")),
                note=request.POST.get("note", ""),
                expected_version=request.POST.get("expected_version"), actor=request.user)
        except actions.Conflict as exc:
            raise ValidationError(str(exc)) from None
        return _("任务已改派给 %(name)s。") % {"name": task.assignee}

    def back_url(self, request, pk):
        return reverse("tasks:detail", args=[pk])


class TaskPhotoView(PermissionRequiredMixin, View):
    """A result photo of a task the reader may see (404 otherwise), never cached."""

    permission = VIEW_PERMS
    http_method_names = ["get", "head"]

    def get(self, request, pk, photo_pk):
        photo = get_object_or_404(TaskAttachment.objects.filter(
            task__in=Task.objects.restrict(request.user, VIEW).values("pk")),
            pk=photo_pk, task_id=pk)
        try:
            handle = photo.file.open("rb")
        except (FileNotFoundError, ValueError, OSError):
            raise Http404 from None
        response = FileResponse(handle, content_type=photo.content_type)
        ext = EXTENSIONS.get(photo.content_type, "jpg")
        response["Content-Disposition"] = f'inline; filename="task-{pk}-{photo.pk}.{ext}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "sandbox"
        return response
