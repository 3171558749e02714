"""Field terminal screens of the tasks app: /m/tasks/ (my tasks) and /m/tasks/<id>/.

- ``field:tasks-list``: the worker's own tasks, open ones first (soonest due first),
  overdue flagged, 20 a page; each row a ``data-precache`` link so the task opens offline.
  Queries: the scope, the page's count and its rows.
- ``field:tasks-detail``: what, where (a small map of the point and the grid), the targets
  (the event opens the 核查 screen, a person or house the 采集 screens), the history, and
  the buttons 接收 and 完成并回报 (note, photo, the device's fix): ``data-outbox`` forms
  posting to ``/api/v1/tasks/<id>/accept|complete/`` with ``expected_version``.
- ``my_tasks_section``: the home screen's 任务 section (order 30).

Everything reads through ``Task.objects.restrict()``; nothing here writes.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas import datum
from gridgov.core.access import get_scope
from gridgov.core.querysets import VIEW
from gridgov.events.views import casefile
from gridgov.field import today
from gridgov.field.auth import field_login_required
from gridgov.web.basemap import basemap_config

from ..choices import OPEN_STATES, TaskKind, TaskState
from ..models import Task
from .desktop import open_first

PAGE_SIZE = 20
HOME_ROWS = 3


def my_tasks(user):
    return Task.objects.restrict(user, VIEW).filter(assignee_id=user.pk)


def detail_url(task) -> str:
    return reverse("field:tasks-detail", args=[task.pk])


@field_login_required
def tasks_list(request):
    """My tasks, open first; ``?done=1`` lists the finished and cancelled ones."""
    finished = request.GET.get("done") == "1"
    qs = my_tasks(request.user).select_related("grid", "event")
    qs = qs.exclude(state__in=OPEN_STATES) if finished else qs.filter(state__in=OPEN_STATES)
    page = Paginator(open_first(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tasks/field/list.html", {
        "page": page, "finished": finished, "now": timezone.now()})


def _map(task) -> dict | None:
    point = task.point()
    if point is None:
        return None
    crs = casefile.map_crs()
    lng, lat = datum.from_wgs84(point[0], point[1], crs)
    return {"crs": crs, "tileUrl": settings.GRIDGOV_TILE_URL,
            "tileAttribution": settings.GRIDGOV_TILE_ATTRIBUTION,
            "basemap": basemap_config(overlays=False),  # a phone: no overlay control
            "point": [round(lat, 6), round(lng, 6)], "wgs84": list(point),
            # The grid's outline (GeoJSON, WGS-84) where the map draws in WGS-84 itself.
            "outline": task.grid.geometry if crs == "wgs84" else None,
            "text": {"here": _("任务位置"), "you": _("您的位置"),
                     "distance": _("距任务点约 %(n)s 米")}}


def _targets(task) -> list[dict]:
    out = []
    if task.event_id:
        out.append({"label": _("关联事件"), "text": task.event.number,
                    "url": reverse("field:events-detail", args=[task.event.number])})
    if task.person_id:
        out.append({"label": _("关联人员"), "text": str(task.person),
                    "url": reverse("field:collect-person", args=[task.person_id])})
    if task.house_id:
        out.append({"label": _("关联房屋"), "text": str(task.house),
                    "url": reverse("field:collect-house", args=[task.house_id])})
    return out


@field_login_required
def task_detail(request, pk):
    """One task the worker may see (404 otherwise), with the buttons open to them now."""
    task = (Task.objects.restrict(request.user, VIEW)
            .select_related("grid", "event", "person", "house", "assigned_by", "assignee")
            .filter(pk=pk).first())
    if task is None:
        raise Http404(_("任务不存在或不在您的范围内。"))
    mine = task.assignee_id == request.user.pk
    scope = get_scope(request.user)
    works = mine and task.is_open and scope is not None and scope.can("tasks.work")
    return render(request, "tasks/field/detail.html", {
        "task": task, "targets": _targets(task), "task_map": _map(task),
        "steps": task.steps.select_related("actor", "assignee"),
        "photos": [reverse("tasks:photo", args=[task.pk, a.pk])
                   for a in task.attachments.all()],
        "can_accept": works and task.state == TaskState.ASSIGNED,
        "can_complete": works,
        "photo_required": task.kind == TaskKind.VERIFY,
        "accept_url": reverse("task-accept", args=[task.pk]),
        "complete_url": reverse("task-complete", args=[task.pk]),
        "back_url": reverse("field:tasks-list"),
    })


def my_tasks_section(request):
    """任务: the worker's open tasks (核查, 采集 and 走访 from the command room), overdue first.

    Queries: the scope, one aggregate (count and overdue), the first rows."""
    scope = get_scope(request.user)
    if scope is None or not scope.can("tasks.work"):
        return None
    now = timezone.now()
    qs = my_tasks(request.user).filter(state__in=OPEN_STATES)
    totals = qs.order_by().aggregate(count=Count("pk"),
                                     overdue=Count("pk", filter=Q(due_at__lt=now)))
    if not totals["count"]:
        return None
    items = []
    for task in open_first(qs.select_related("grid"))[:HOME_ROWS]:
        overdue = bool(task.due_at and task.due_at < now)
        due = timezone.localtime(task.due_at).strftime("%m-%d %H:%M") if task.due_at else ""
        items.append(today.TodayItem(
            title=f"{task.get_kind_display()} · {task.title}", url=detail_url(task),
            subtitle=(_("时限 %(t)s") % {"t": due}) if due else task.grid.name,
            badge=str(_("已超期")) if overdue else str(task.get_state_display()),
            overdue=overdue))
    return today.TodaySection(key="tasks", title=str(_("指挥任务")), count=totals["count"],
                              url=reverse("field:tasks-list"), items=items,
                              overdue=totals["overdue"])


urlpatterns = [
    path("", tasks_list, name="tasks-list"),
    path("<int:pk>/", task_detail, name="tasks-detail"),
]
