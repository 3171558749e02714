"""The events' place in the page shell: menu entries and waiting work (待办) on 首页.

Registered from ``EventsConfig.ready()``. Each provider runs one aggregate query.
"""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import COMMAND_ROLES, GRID_ROLES, Role
from gridgov.web import menus, worklist

COMMAND_PAGE_ROLES = frozenset({*COMMAND_ROLES, Role.LEADER})
DEPARTMENT_PAGE_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_ADMIN})
GRID_ACTORS = frozenset({Role.GRID_WORKER, Role.GRID_CHIEF})


def _counts(queryset, **filters):
    return queryset.aggregate(**{k: Count("pk", filter=q) for k, q in filters.items()})


def command_work(user, scope):
    """Clerk, shift leader, dispatcher, leader: the queues of the command room."""
    from .models import Event
    from .views.command import _queue_q

    now = timezone.now()
    keys = []
    if scope.has_role(Role.INTAKE_CLERK):
        keys += [("held", _("待审核的群众上报"), worklist.WARN), ("new", _("待受理事件"),
                                                             worklist.WARN)]
    if scope.has_role(Role.SHIFT_LEADER):
        keys += [("to_file", _("待立案事件"), worklist.WARN),
                 ("decisions", _("待审批的延期、挂账申请"), worklist.WARN)]
    if scope.has_role(Role.DISPATCHER):
        keys += [("to_dispatch", _("待派遣事件"), worklist.WARN)]
    keys += [("overdue", _("已超期事件"), worklist.DANGER),
             ("due_soon", _("即将到期事件"), worklist.WARN)]
    if scope.has_role(Role.LEADER):
        keys += [("supervised", _("督办中的事件"), worklist.INFO)]
    counts = _counts(Event.objects.restrict(user),
                     **{key: _queue_q(key, now) for key, _t, _s in keys})
    for key, title, severity in keys:
        yield worklist.WorkItem(
            key=f"events.{key}", title=title, count=counts[key], severity=severity,
            url=worklist.url_or_none("events:command", f"?queue={key}"),
        )


def department_work(user, scope):
    """Department handler: events to claim, being handled, overdue."""
    from .choices import TIMED_STATES, State
    from .models import Event

    if not scope.department_id:
        return
    now = timezone.now()
    counts = _counts(
        Event.objects.restrict(user).filter(department_id=scope.department_id),
        to_claim=Q(state=State.DISPATCHED),
        handling=Q(state=State.IN_PROGRESS),
        overdue=Q(state__in=list(TIMED_STATES), stage_deadline__lt=now),
    )
    for key, title, severity in (("to_claim", _("待签收事件"), worklist.WARN),
                                 ("handling", _("处置中事件"), worklist.INFO),
                                 ("overdue", _("已超期事件"), worklist.DANGER)):
        yield worklist.WorkItem(
            key=f"events.department.{key}", title=title, count=counts[key], severity=severity,
            url=worklist.url_or_none("events:department", f"?queue={key}"),
        )


def grid_work(user, scope):
    """Grid worker / chief: events to verify on site and tasks sent to the grid (the
    instructor guides and does not act, so has none)."""
    from .choices import State
    from .models import Event

    own = scope.area_q("area_code", roles=GRID_ACTORS)
    counts = _counts(
        Event.objects.restrict(user),
        to_verify=own & Q(state=State.COMPLETED),
        grid_tasks=own & Q(department__isnull=True,
                           state__in=[State.DISPATCHED, State.IN_PROGRESS]),
    )
    yield worklist.WorkItem(
        key="events.to_verify", title=_("待核查事件"), count=counts["to_verify"],
        severity=worklist.WARN, url=worklist.url_or_none("events:mine", "?tab=to_verify"),
        note=_("处置完毕的事件须到现场核查后结案。"),
    )
    yield worklist.WorkItem(
        key="events.grid_tasks", title=_("派给网格的事件"), count=counts["grid_tasks"],
        severity=worklist.WARN, url=worklist.url_or_none("events:mine", "?tab=grid_tasks"),
    )


def register():
    menus.register(menus.MenuItem("events_command", _("指挥中心"), ("events:command",),
                                  roles=COMMAND_PAGE_ROLES, order=40))
    menus.register(menus.MenuItem("events_map", _("事件地图"), ("events:command_map",),
                                  roles=COMMAND_PAGE_ROLES, order=41))
    menus.register(menus.MenuItem("events_department", _("部门待办"), ("events:department",),
                                  roles=DEPARTMENT_PAGE_ROLES, order=40))
    menus.register(menus.MenuItem("events_mine", _("我的事件"), ("events:mine",),
                                  roles=frozenset(GRID_ROLES), order=40))
    worklist.register("events.command", roles=COMMAND_PAGE_ROLES, order=20)(command_work)
    worklist.register("events.department", roles=DEPARTMENT_PAGE_ROLES, order=20)(
        department_work)
    worklist.register("events.grid", roles=GRID_ACTORS, order=20)(grid_work)
