"""Field terminal: 服务提醒 — the open service tasks of the worker (mine first, then the
rest of the worker's grids), and one task with its reason: a task of a person opens the
visit form of that person (the visit closes it); a task of a place is closed here (a
``data-outbox`` form posting to ``/api/v1/proactive/tasks/{id}/close/``)."""

from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from gridgov.core.access import require
from gridgov.field.auth import FieldLoginRequiredMixin

from .models import ServiceTask
from .permissions import VIEW, WORK
from .views import facts_table

LIMIT = 50


class _Page(FieldLoginRequiredMixin, TemplateView):
    permission = VIEW

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.scope = require(request.user, self.permission)
        return super().dispatch(request, *args, **kwargs)


def _visit_url(task) -> str:
    return reverse("field:visits-new", args=[task.person_id]) if task.person_id else ""


class ListView(_Page):
    """Open tasks: the worker's own first, overdue flagged (one query)."""

    template_name = "proactive/field/list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        now = timezone.now()
        tasks = list(ServiceTask.objects.restrict(user, "change").filter(state="open")
                     .select_related("person")
                     .annotate(mine=Case(When(assignee_id=user.pk, then=Value(0)),
                                         default=Value(1), output_field=IntegerField()))
                     .order_by("mine", "due_at", "id")[:LIMIT])
        rows = [{"t": t, "overdue": t.is_overdue(now), "mine": t.assignee_id == user.pk,
                 "url": reverse("field:proactive-task", args=[t.pk])} for t in tasks]
        return {**super().get_context_data(**kwargs), "rows": rows,
                "overdue": sum(1 for r in rows if r["overdue"])}


class TaskView(_Page):
    """One task: what, why, until when; 记录走访 for a person, 办结 for a place."""

    template_name = "proactive/field/task.html"

    def get_context_data(self, pk, **kwargs):
        task = get_object_or_404(ServiceTask.objects.restrict(self.request.user, "view")
                                 .select_related("person", "grid", "firing__rule"), pk=pk)
        can_close = task.is_open and self.scope.can(WORK) and ServiceTask.objects.restrict(
            self.request.user, "change").filter(pk=task.pk).exists()
        return {**super().get_context_data(**kwargs), "task": task,
                "facts": facts_table(task), "overdue": task.is_overdue(),
                "can_close": can_close,
                "visit_url": _visit_url(task) if can_close else "",
                "close_url": reverse("proactive-task-close", args=[task.pk]),
                "done_url": reverse("field:proactive-list")}
