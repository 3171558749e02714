"""Proactive services in the page shell: the 主动服务 menu entry (its pages link to each
other and to the rules: ``templatetags/proactive_nav``) and the field
terminal's home section (服务提醒, order 35)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.web import menus

from .permissions import VIEW, WORK

HOME_ITEMS = 3


def task_url(task) -> str:
    """Where a task opens in the field terminal: its page (reason, 记录走访 / 办结)."""
    return reverse("field:proactive-task", args=[task.pk])


def list_url() -> str:
    return reverse("field:proactive-list")


def today_section(request):
    """服务提醒 N · 逾期 M: the open service tasks assigned to the person (two queries)."""
    from gridgov.core.access import get_scope
    from gridgov.field.today import TodayItem, TodaySection

    from .models import ServiceTask

    scope = get_scope(request.user)
    if scope is None or not scope.can(WORK):
        return None
    now = timezone.now()
    qs = (ServiceTask.objects.restrict(request.user, "change")
          .filter(state="open", assignee_id=request.user.pk))
    counts = qs.aggregate(total=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
    if not counts["total"]:
        return None
    items = []
    for task in qs.select_related("person").order_by("due_at", "id")[:HOME_ITEMS]:
        overdue = task.is_overdue(now)
        items.append(TodayItem(
            title=task.title, subtitle=task.get_kind_display(), url=task_url(task),
            badge=_("逾期") if overdue else (
                timezone.localtime(task.due_at).strftime("%m-%d %H:%M") if task.due_at else ""),
            overdue=overdue))
    return TodaySection(key="proactive", title=_("服务提醒"), count=counts["total"],
                        url=list_url(), items=items, overdue=counts["overdue"])


def register():
    from gridgov.field import today

    menus.register(menus.MenuItem("proactive", gettext_lazy("主动服务"), ("proactive:tasks",),
                                  permission=VIEW, order=45))
    today.register("proactive", order=35)(today_section)
