"""The command room (指挥中心, ``events.command_room``): queues, dispatch and decisions.

- ``/events/command/``: the clerk's, shift leader's and dispatcher's queues
  (``queues.COMMAND_ROOM``: held, new, to file, to dispatch, due soon, overdue, supervised)
  with counts and filters; one-click dispatch to the category's default department and bulk
  dispatch (``events.dispatch``); for those who decide extension (延期) and suspension (挂账)
  requests, the pending decisions (待审批) with approve / reject buttons.

Every button calls an action in ``gridgov.events.actions``, which checks permission, scope,
state and version again.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.views import ActionView, safe_next

from .. import actions, queues
from ..choices import RequestKind, RequestStatus
from ..models import Event, EventRequest
from .lists import (
    FIELD_LABELS,
    EventButtonView,
    QueuePage,
    labelled_error,
    posted_version,
    state_label,
)

BULK_LIMIT = 100

# The decision action of each request kind (``queues.DECISIONS`` names its permission).
DECIDE = {
    RequestKind.EXTENSION: actions.decide_extension,
    RequestKind.SUSPENSION: actions.decide_suspension,
}


class CommandRoomView(QueuePage):
    """指挥中心: the command room's queues for clerks, shift leaders and dispatchers."""

    template_name = "events/command/queues.html"
    live_template = "events/command/_command_rows.html"
    room = queues.COMMAND_ROOM

    def list_queryset(self, queryset, queue, now):
        queryset = super().list_queryset(queryset, queue, now)
        if queue == "decisions":
            # One more query for the page's requests and their requesters.
            queryset = queryset.prefetch_related(
                Prefetch("requests", to_attr="pending_requests", queryset=(
                    EventRequest.objects.filter(status=RequestStatus.PENDING)
                    .select_related("requested_by__department").order_by("requested_at", "id")
                )))
        return queryset

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_dispatch"] = self.scope.can("events.dispatch")
        ctx["bulk_limit"] = BULK_LIMIT
        return ctx


def dispatch_default(event, *, actor, expected_version=None):
    """One-click dispatch: to the category's default department (an error when none)."""
    category = event.category
    department = category.default_department if category is not None else None
    if department is None:
        raise ValidationError({"department": _(
            "事件 %(number)s 未设小类或小类没有默认责任部门,请在详情页选择部门派遣。")
            % {"number": event.number}})
    actions.dispatch_event(event, department, actor=actor, expected_version=expected_version)
    return department


class DispatchView(EventButtonView):
    """一键派遣 to the default department."""

    permission = "events.dispatch"

    def act(self, request, event):
        department = dispatch_default(event, actor=request.user,
                                      expected_version=posted_version(request))
        return _("事件 %(number)s 已派遣至%(dept)s。") % {"number": event.number,
                                                        "dept": department.name}


class BulkDispatchView(ActionView):
    """批量派遣: each ticked event to its default department; errors reported per event."""

    permission = "events.dispatch"

    def back_url(self, request, *args, **kwargs):
        return safe_next(request, reverse("events:command") + "?queue=to_dispatch")

    def run(self, request):
        ids = [int(v) for v in request.POST.getlist("event") if v.isdigit()][:BULK_LIMIT]
        if not ids:
            messages.warning(request, _("请先勾选要派遣的事件。"))
            return ""
        events = list(
            Event.objects.restrict(request.user).filter(pk__in=ids)
            .select_related("category__default_department").order_by("created_at", "id")
        )
        found = {e.pk for e in events}
        done = 0
        failures = [_("事件 #%(id)s 不存在或不在您的范围内。") % {"id": i}
                    for i in ids if i not in found]
        for event in events:
            try:
                dispatch_default(event, actor=request.user,
                                 expected_version=posted_version(request, f"version_{event.pk}"))
                done += 1
            except actions.Conflict as exc:
                failures.append(_("%(number)s:已被他人处理(当前状态:%(state)s)")
                                % {"number": event.number, "state": state_label(exc, event)})
            except (ValidationError, PermissionDenied) as exc:
                failures.append(f"{event.number}:{labelled_error(exc)}")
        for failure in failures:
            messages.error(request, failure)
        return _("已派遣 %(n)d 件事件。") % {"n": done} if done else ""


class DecideRequestView(EventButtonView):
    """审批: approve or reject the event's pending extension (延期) or suspension (挂账) request.

    The form names the request's ``kind``; the decision action checks permission, scope,
    state, that the request is still pending, and the version the page was drawn with.
    """

    permission = queues.DECISION_PERMISSIONS
    back_query = "?queue=decisions"
    field_labels = {**FIELD_LABELS, "remark": gettext_lazy("审批意见"),
                    "kind": gettext_lazy("申请类型")}

    def act(self, request, event):
        kind = request.POST.get("kind", "")
        if kind not in DECIDE:
            raise ValidationError({"kind": _("请选择要审批的申请。")})
        approve = request.POST.get("approve") == "1"
        DECIDE[kind](event, approve=approve, remark=request.POST.get("remark", "").strip(),
                     actor=request.user, expected_version=posted_version(request))
        values = {"number": event.number, "kind": RequestKind(kind).label}
        if approve:
            return _("已同意事件 %(number)s 的%(kind)s。") % values
        return _("已驳回事件 %(number)s 的%(kind)s。") % values


urlpatterns = [
    path("command/", CommandRoomView.as_view(), name="command"),
    path("command/<int:pk>/dispatch/", DispatchView.as_view(), name="command_dispatch"),
    path("command/bulk-dispatch/", BulkDispatchView.as_view(), name="command_bulk_dispatch"),
    path("command/<int:pk>/decide/", DecideRequestView.as_view(), name="command_decide"),
]
