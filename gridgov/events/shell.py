"""The events' place in the page shell: menu entries and waiting work (待办) on 首页.

Registered from ``EventsConfig.ready()``. The counts are those of ``gridgov.events.queues``
(the same rule as the pages' tabs); each provider runs one aggregate query.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.web import menus, worklist

from . import queues

COMMAND_PAGE = "events.command_room"
DEPARTMENT_PAGE = "events.department_work"
GRID_WORK = "events.grid_work"
# The grid list is for everyone working a grid (the instructor follows their own reports).
GRID_PAGE = (GRID_WORK, "events.report_patrol")

# The command room's entries: queue, title, severity, and who is told of it (empty: all who
# use the command room). Deciding is told per kind of request (see ``queues.DECISIONS``).
COMMAND_ITEMS = (
    ("held", _("待审核的群众上报"), worklist.WARN, ("events.release_held",)),
    ("new", _("待受理事件"), worklist.WARN, ("events.register",)),
    ("to_file", _("待立案事件"), worklist.WARN, ("events.file",)),
    ("decisions", _("待审批的延期、挂账申请"), worklist.WARN, None),
    ("to_dispatch", _("待派遣事件"), worklist.WARN, ("events.dispatch",)),
    ("overdue", _("已超期事件"), worklist.DANGER, ()),
    ("due_soon", _("即将到期事件"), worklist.WARN, ()),
    ("supervised", _("督办中的事件"), worklist.INFO, ("events.supervise",)),
)


def command_work(user, scope):
    """Clerk, shift leader, dispatcher, leader: the queues of the command room."""
    items = [(key, title, severity) for key, title, severity, perms in COMMAND_ITEMS
             if perms == () or scope.can(*(perms or queues.DECISION_PERMISSIONS))]
    counts = queues.counts(user, timezone.now(), queues.COMMAND_ROOM,
                           keys={key for key, _t, _s in items})
    for key, title, severity in items:
        if key in counts:
            yield worklist.WorkItem(
                key=f"events.{key}", title=title, count=counts[key], severity=severity,
                url=worklist.url_or_none("events:command", f"?queue={key}"),
            )


def department_work(user, scope):
    """Department handler: events to claim, being handled, overdue."""
    if not scope.department_id:
        return
    counts = queues.counts(user, timezone.now(), queues.DEPARTMENT)
    for key, title, severity in (("to_claim", _("待签收事件"), worklist.WARN),
                                 ("handling", _("处置中事件"), worklist.INFO),
                                 ("overdue", _("已超期事件"), worklist.DANGER)):
        if key in counts:
            yield worklist.WorkItem(
                key=f"events.department.{key}", title=title, count=counts[key],
                severity=severity, url=worklist.url_or_none("events:department", f"?queue={key}"),
            )


def grid_work(user, scope):
    """Grid worker / chief: events to verify on site and tasks sent to the grid (the
    instructor guides and does not act, so has none)."""
    counts = queues.counts(user, timezone.now(), queues.GRID, keys={"to_verify", "grid_tasks"})
    if not counts:
        return
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
    # 案件查询: every case the person may see, in any state (closed and void included).
    menus.register(menus.MenuItem("events_search", _("案件查询"), ("events:search",),
                                  permission="events.view", order=45))
    menus.register(menus.MenuItem("events_command", _("指挥中心"), ("events:command",),
                                  permission=COMMAND_PAGE, order=40))
    menus.register(menus.MenuItem("events_map", _("事件地图"), ("events:command_map",),
                                  permission=COMMAND_PAGE, order=41))
    menus.register(menus.MenuItem("events_department", _("部门待办"), ("events:department",),
                                  permission=DEPARTMENT_PAGE, order=40))
    menus.register(menus.MenuItem("events_mine", _("我的事件"), ("events:mine",),
                                  permission=GRID_PAGE, order=40))
    worklist.register("events.command", permission=COMMAND_PAGE, order=20)(command_work)
    worklist.register("events.department", permission=DEPARTMENT_PAGE, order=20)(
        department_work)
    worklist.register("events.grid", permission=GRID_WORK, order=20)(grid_work)
