"""The tasks app's place in the page shell: the 指挥任务 menu entry, the command room's
worklist (overdue tasks) and the field terminal's home section (order 30)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.web import menus, worklist


def overdue_tasks(user, scope):
    """Open tasks past their due time in the person's areas (two queries)."""
    from .models import Task

    qs = Task.objects.restrict(user, "view").overdue().exclude(assignee_id=user.pk)
    count = qs.count()
    if not count:
        return
    samples = [f"{t.title} · {t.assignee}" for t in
               qs.select_related("assignee").order_by("due_at")[:5]]
    yield worklist.WorkItem(key="tasks.overdue", title=str(_("超期未完成的指挥任务")),
                            count=count, url=reverse("tasks:list") + "?overdue=true",
                            severity="danger", samples=samples)


def register():
    from gridgov.field import today

    from .views.field import my_tasks_section

    menus.register(menus.MenuItem("tasks", _("指挥任务"), ("tasks:list",),
                                  permission="tasks.view", order=43))
    worklist.register("tasks.overdue", permission="tasks.assign", order=40)(overdue_tasks)
    today.register("tasks", order=30)(my_tasks_section)
