"""The command room and the people in the loop (issue 3, item 8).

- ``/events/command/``: the clerk's, shift leader's and dispatcher's queues (held, new, to
  file, to dispatch, due soon, overdue, supervised) with counts, filters, one-click dispatch
  to the category's default department and bulk dispatch; for those who decide extension
  (延期) and suspension (挂账) requests (``workflow.TRANSITIONS``: the shift leader), the
  pending decisions (待审批) with approve / reject buttons;
- ``/events/command/map/``: a live map of the events in scope by state (GeoJSON endpoint);
- ``/events/department/``: the department handler's list (claim, complete, return);
- ``/events/mine/``: the grid worker's list (to verify, to handle on the grid, my reports).

Every list reads through ``Event.objects.restrict()``; every button calls an action in
``gridgov.events.actions``, which checks role, scope, state and version. Counts are one
aggregate query; each list a constant number of queries whatever its length.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.accounts.choices import COMMAND_ROLES, GRID_ROLES, Role
from gridgov.core.access import get_scope
from gridgov.areas.datum import from_wgs84
from gridgov.areas.models import Area

from .. import actions
from ..choices import (
    FINAL_STATES,
    TIMED_STATES,
    DeadlineStatus,
    RequestKind,
    RequestStatus,
    Source,
    State,
)
from ..filtersets import EventFilterSet
from ..models import DUE_SOON_MIN, Event, EventRequest
from ..workflow import TRANSITIONS

PAGE_SIZE = 50
MAP_LIMIT = 2000
BULK_LIMIT = 100

COMMAND_PAGE_ROLES = (*COMMAND_ROLES, Role.LEADER)
DEPARTMENT_PAGE_ROLES = (Role.DEPT_HANDLER, Role.DEPT_ADMIN)
GRID_PAGE_ROLES = tuple(GRID_ROLES)

# Who decides a request of each kind, and with which action: read from the workflow table so
# the queue follows it (today the shift leader decides both).
DECISIONS = {
    RequestKind.EXTENSION: (TRANSITIONS["decide_extension"], actions.decide_extension),
    RequestKind.SUSPENSION: (TRANSITIONS["decide_suspension"], actions.decide_suspension),
}
DECISION_ROLES = tuple(sorted(frozenset().union(*(t.roles for t, _f in DECISIONS.values()))))

LIST_RELATED = ("category", "category__major", "department", "grid", "assignee")
LIST_FIELDS = (
    "id", "number", "source", "nature", "urgency", "state", "description", "address",
    "area_code", "supervised", "stage_deadline", "stage_started_at", "handle_deadline",
    "created_at", "version", "lng", "lat", "category__code", "category__name",
    "category__default_department_id", "category__major__name", "department__name",
    "grid__name", "grid__code", "assignee__real_name", "assignee__username",
    "reporter_user_id", "level", "resolved_on_spot",
)


def _timed(now):
    return Q(state__in=list(TIMED_STATES), stage_deadline__isnull=False)


def _queue_q(key, now) -> Q:
    if key == "held":
        return Q(state=State.HELD)
    if key == "new":
        return Q(state=State.REPORTED)
    if key == "to_file":
        return Q(state=State.REGISTERED)
    if key == "to_dispatch":
        return Q(state=State.FILED)
    if key == "due_soon":
        return _timed(now) & Q(stage_deadline__gte=now, stage_deadline__lt=now + DUE_SOON_MIN)
    if key == "overdue":
        return _timed(now) & Q(stage_deadline__lt=now)
    if key == "supervised":
        return Q(supervised=True) & ~Q(state__in=list(FINAL_STATES))
    if key == "to_claim":
        return Q(state=State.DISPATCHED)
    if key == "handling":
        return Q(state=State.IN_PROGRESS)
    if key == "to_verify":
        return Q(state=State.COMPLETED)
    if key == "open":
        return ~Q(state__in=list(FINAL_STATES))
    if key == "decisions":
        return _pending_decision_q()
    raise KeyError(key)


def _pending_decision_q() -> Q:
    """Events with a pending request that can still be decided.

    A request stays pending when the event moves on without a decision (returned, the other
    request approved): the decision action refuses such a state, so the queue leaves it out
    rather than offer buttons that can only fail. A subquery, not a join, keeps the counts one
    aggregate query and one row per event.
    """
    out = Q(pk__in=[])
    for kind, (transition, _decide) in DECISIONS.items():
        pending = EventRequest.objects.filter(kind=kind, status=RequestStatus.PENDING)
        out |= Q(state__in=list(transition.sources), pk__in=pending.values("event_id"))
    return out


COMMAND_QUEUES = (
    ("held", gettext_lazy("待审核")),
    ("new", gettext_lazy("新上报")),
    ("to_file", gettext_lazy("待立案")),
    ("to_dispatch", gettext_lazy("待派遣")),
    ("due_soon", gettext_lazy("即将到期")),
    ("overdue", gettext_lazy("已超期")),
    ("supervised", gettext_lazy("督办")),
)
DECISION_QUEUE = ("decisions", gettext_lazy("待审批"))
# Each command role opens on the queue it works.
DEFAULT_QUEUE = (
    (Role.INTAKE_CLERK, "new"),
    (Role.SHIFT_LEADER, "to_file"),
    (Role.DISPATCHER, "to_dispatch"),
    (Role.LEADER, "overdue"),
)
DEPARTMENT_QUEUES = (
    ("to_claim", gettext_lazy("待签收")),
    ("handling", gettext_lazy("处置中")),
    ("overdue", gettext_lazy("已超期")),
)


def detail_url(event) -> str | None:
    """The event's detail page, when the installation has one."""
    for kwargs in ({"pk": event.pk}, {"number": event.number}):
        try:
            return reverse("events:detail", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def _rows(events, now):
    """Events with their read-time deadline mark and link (no queries)."""
    out = []
    for event in events:
        status = event.deadline_status(now)
        out.append({
            "event": event,
            "deadline": status,
            "deadline_label": DeadlineStatus(status).label,
            "overdue": status == DeadlineStatus.OVERDUE,
            "due_soon": status == DeadlineStatus.DUE_SOON,
            "url": detail_url(event),
            "default_department": (event.category.default_department_id
                                   if event.category_id else None),
        })
    return out


def _back(request, default):
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


FIELD_LABELS = {
    "remark": gettext_lazy("处置情况"),
    "reason": gettext_lazy("理由"),
    "department": gettext_lazy("责任部门"),
    "overdue_reason": gettext_lazy("超期说明"),
    "attachments": gettext_lazy("照片"),
}


def _error_text(exc, labels=FIELD_LABELS) -> str:
    """One line for a message banner, each reason after the name of its field."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return ";".join(
                f"{labels.get(field, field)}:{' '.join(str(m) for m in errors)}"
                if field != "__all__" else " ".join(str(m) for m in errors)
                for field, errors in exc.message_dict.items()
            )
        return ";".join(str(m) for m in exc.messages)
    return str(exc) or _("您无权执行此操作。")


def _version(request, name="version"):
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() else None


class RolePageMixin:
    """Open the page to principals holding one of ``roles`` (anonymous: sign in; others 403)."""

    roles: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        self.scope = get_scope(request.user)
        if self.scope is None or not self.scope.has_role(*self.roles):
            raise PermissionDenied(_("您的角色无权访问此页面。"))
        return super().dispatch(request, *args, **kwargs)


class QueuePage(RolePageMixin, TemplateView):
    """A page of queues: counts for each, the chosen one listed with filters."""

    queues: tuple = ()

    def base_queryset(self):
        return Event.objects.restrict(self.request.user)

    def default_queue(self) -> str:
        return self.get_queues()[0][0]

    def get_queues(self) -> tuple:
        """The queues this person sees (key, label)."""
        return self.queues

    def queue_q(self, key, now) -> Q:
        """The filter of one queue (a page may narrow a queue to the person's duty)."""
        return _queue_q(key, now)

    def list_queryset(self, queryset, queue):
        """The chosen queue's rows, with what its template shows."""
        return (queryset.select_related(*LIST_RELATED).only(*LIST_FIELDS)
                .order_by("stage_deadline", "-created_at", "-id"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        base = self.base_queryset()
        queues = self.get_queues()
        keys = [key for key, _label in queues]
        counts = base.aggregate(**{key: Count("pk", filter=self.queue_q(key, now))
                                   for key in keys})
        queue = self.request.GET.get("queue") or self.default_queue()
        if queue not in keys:
            raise Http404(_("没有这个队列。"))
        queryset = base.filter(self.queue_q(queue, now))
        filterset = EventFilterSet(self.request.GET or None, queryset=queryset,
                                          request=self.request)
        filtered = (
            self.list_queryset(filterset.qs, queue)
        ) if (not filterset.is_bound or filterset.is_valid()) else queryset.none()
        page = Paginator(filtered, PAGE_SIZE).get_page(self.request.GET.get("page"))
        ctx.update({
            "queues": [{"key": k, "label": label, "count": counts[k], "active": k == queue}
                       for k, label in queues],
            "queue": queue,
            "filter": filterset,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "rows": _rows(page.object_list, now),
            "now": now,
        })
        return ctx


class CommandRoomView(QueuePage):
    """指挥中心: the command room's queues for clerks, shift leaders and dispatchers."""

    template_name = "events/command/queues.html"
    roles = COMMAND_PAGE_ROLES
    queues = COMMAND_QUEUES

    def default_queue(self):
        for role, queue in DEFAULT_QUEUE:
            if self.scope.has_role(role):
                return queue
        return "new"

    def get_queues(self):
        # The pending decisions only for those who may decide them (not the leader, who
        # supervises but does not approve).
        if self.scope.has_role(*DECISION_ROLES):
            return (*self.queues, DECISION_QUEUE)
        return self.queues

    def queue_q(self, key, now):
        q = super().queue_q(key, now)
        if key == "decisions":
            # Only the areas where the person holds the deciding role (restrict() also shows
            # what their other roles see, where the decision would be refused).
            q &= self.scope.area_q("area_code", roles=DECISION_ROLES)
        return q

    def list_queryset(self, queryset, queue):
        queryset = super().list_queryset(queryset, queue)
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
        ctx["can_dispatch"] = self.scope.has_role(Role.DISPATCHER)
        ctx["bulk_limit"] = BULK_LIMIT
        return ctx


class DepartmentListView(QueuePage):
    """部门待办: events dispatched to the handler's department (claim, complete, return)."""

    template_name = "events/command/department.html"
    roles = DEPARTMENT_PAGE_ROLES
    queues = DEPARTMENT_QUEUES

    def base_queryset(self):
        # Only what the department holds now (restrict() also shows what it held before).
        return super().base_queryset().filter(department_id=self.scope.department_id)


class MyEventsView(RolePageMixin, TemplateView):
    """我的事件: a grid worker's events to verify, to handle on the grid, and own reports."""

    template_name = "events/command/mine.html"
    roles = GRID_PAGE_ROLES
    tabs = (
        ("to_verify", gettext_lazy("待核查")),
        ("grid_tasks", gettext_lazy("派给网格")),
        ("reported", gettext_lazy("我的上报")),
    )

    def tab_q(self, key, now):
        if key == "to_verify":
            return Q(state=State.COMPLETED)
        if key == "grid_tasks":
            return Q(department__isnull=True, state__in=[State.DISPATCHED, State.IN_PROGRESS])
        return Q(reporter_user_id=self.request.user.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        base = Event.objects.restrict(self.request.user)
        # Verification and grid tasks: the person's own grids (a chief: the community's).
        own = self.scope.area_q("area_code", roles=GRID_ROLES)
        filters = {
            "to_verify": own & self.tab_q("to_verify", now),
            "grid_tasks": own & self.tab_q("grid_tasks", now),
            "reported": self.tab_q("reported", now),
        }
        counts = base.aggregate(**{k: Count("pk", filter=q) for k, q in filters.items()})
        tab = self.request.GET.get("tab") or "to_verify"
        if tab not in filters:
            raise Http404(_("没有这个列表。"))
        queryset = (
            base.filter(filters[tab]).select_related(*LIST_RELATED).only(*LIST_FIELDS)
            .order_by("stage_deadline", "-created_at", "-id")
        )
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        ctx.update({
            "tabs": [{"key": k, "label": label, "count": counts[k], "active": k == tab}
                     for k, label in self.tabs],
            "tab": tab,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "rows": _rows(page.object_list, now),
        })
        return ctx


# --- buttons --------------------------------------------------------------------------------


class EventActionView(RolePageMixin, View):
    """A POST button that calls one action on one event, then returns with a message."""

    back_name = "events:command"
    back_query = ""
    field_labels = FIELD_LABELS

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def run(self, request, event) -> str:
        raise NotImplementedError

    def post(self, request, pk):
        event = get_object_or_404(Event.objects.restrict(request.user), pk=pk)
        try:
            text = self.run(request, event)
        except actions.Conflict as exc:
            messages.error(request, _("事件 %(number)s 已被他人处理,当前状态:%(state)s。%(detail)s")
                           % {"number": event.number, "state": _state_label(exc, event),
                              "detail": str(exc)})
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"{event.number}:{_error_text(exc, self.field_labels)}")
        else:
            messages.success(request, text)
        return redirect(_back(request, reverse(self.back_name) + self.back_query))


def _state_label(exc, event) -> str:
    current = getattr(exc, "event", None) or Event.objects.filter(pk=event.pk).first()
    return current.get_state_display() if current is not None else ""


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


class DispatchView(EventActionView):
    """一键派遣 to the default department."""

    roles = (Role.DISPATCHER,)

    def run(self, request, event):
        department = dispatch_default(event, actor=request.user,
                                      expected_version=_version(request))
        return _("事件 %(number)s 已派遣至%(dept)s。") % {"number": event.number,
                                                        "dept": department.name}


class BulkDispatchView(RolePageMixin, View):
    """批量派遣: each ticked event to its default department; errors reported per event."""

    roles = (Role.DISPATCHER,)

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request):
        ids = [int(v) for v in request.POST.getlist("event") if v.isdigit()][:BULK_LIMIT]
        back = _back(request, reverse("events:command") + "?queue=to_dispatch")
        if not ids:
            messages.warning(request, _("请先勾选要派遣的事件。"))
            return redirect(back)
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
                                 expected_version=_version(request, f"version_{event.pk}"))
                done += 1
            except actions.Conflict as exc:
                failures.append(_("%(number)s:已被他人处理(当前状态:%(state)s)")
                                % {"number": event.number, "state": _state_label(exc, event)})
            except (ValidationError, PermissionDenied) as exc:
                failures.append(f"{event.number}:{_error_text(exc)}")
        if done:
            messages.success(request, _("已派遣 %(n)d 件事件。") % {"n": done})
        for failure in failures:
            messages.error(request, failure)
        return redirect(back)


class DecideRequestView(EventActionView):
    """审批: approve or reject the event's pending extension (延期) or suspension (挂账) request.

    The form names the request's ``kind``; the decision action checks role, scope, state,
    that the request is still pending, and the version the page was drawn with.
    """

    roles = DECISION_ROLES
    back_query = "?queue=decisions"
    field_labels = {**FIELD_LABELS, "remark": gettext_lazy("审批意见"),
                    "kind": gettext_lazy("申请类型")}

    def run(self, request, event):
        kind = request.POST.get("kind", "")
        if kind not in DECISIONS:
            raise ValidationError({"kind": _("请选择要审批的申请。")})
        approve = request.POST.get("approve") == "1"
        _transition, decide = DECISIONS[kind]
        decide(event, approve=approve, remark=request.POST.get("remark", "").strip(),
               actor=request.user, expected_version=_version(request))
        values = {"number": event.number, "kind": RequestKind(kind).label}
        if approve:
            return _("已同意事件 %(number)s 的%(kind)s。") % values
        return _("已驳回事件 %(number)s 的%(kind)s。") % values


class ClaimView(EventActionView):
    """签收: the handler takes the dispatched event."""

    roles = (*DEPARTMENT_PAGE_ROLES, *GRID_PAGE_ROLES)
    back_name = "events:department"

    def run(self, request, event):
        actions.claim_event(event, actor=request.user, expected_version=_version(request))
        return _("已签收事件 %(number)s。") % {"number": event.number}


class CompleteView(EventActionView):
    """处置完毕: the handler reports the work done (remark and photos)."""

    roles = (*DEPARTMENT_PAGE_ROLES, *GRID_PAGE_ROLES)
    back_name = "events:department"

    def run(self, request, event):
        from ..attachments import prepare

        files = prepare(request.FILES.getlist("photos"))
        actions.complete_event(event, remark=request.POST.get("remark", ""), attachments=files,
                               overdue_reason=request.POST.get("overdue_reason", ""),
                               actor=request.user, expected_version=_version(request))
        return _("事件 %(number)s 已报处置完毕,等待核查。") % {"number": event.number}


class ReturnView(EventActionView):
    """回退: a department that is not responsible sends the event back (reason required)."""

    roles = (*DEPARTMENT_PAGE_ROLES, *GRID_PAGE_ROLES)
    back_name = "events:department"

    def run(self, request, event):
        actions.return_event(event, reason=request.POST.get("reason", ""), actor=request.user,
                             expected_version=_version(request))
        return _("事件 %(number)s 已回退至派遣员。") % {"number": event.number}


class VerifyView(EventActionView):
    """核查: the grid worker checks on site; passed closes, failed sends back for rework."""

    roles = GRID_PAGE_ROLES
    back_name = "events:mine"

    def run(self, request, event):
        passed = request.POST.get("passed") == "1"
        actions.verify_event(event, passed=passed, remark=request.POST.get("remark", ""),
                             actor=request.user, expected_version=_version(request))
        if passed:
            return _("事件 %(number)s 核查通过,已结案。") % {"number": event.number}
        return _("事件 %(number)s 核查未通过,已退回返工。") % {"number": event.number}


# --- the live map ---------------------------------------------------------------------------

STATE_COLORS = {
    State.HELD: "#7a7a7a", State.REPORTED: "#1f77b4", State.REGISTERED: "#17becf",
    State.FILED: "#9467bd", State.DISPATCHED: "#ff7f0e", State.IN_PROGRESS: "#bcbd22",
    State.COMPLETED: "#2ca02c", State.SUSPENDED: "#8c564b", State.CLOSED: "#4d4d4d",
    State.NOT_FILED: "#aaaaaa", State.VOID: "#aaaaaa", State.MERGED: "#aaaaaa",
}
OVERDUE_COLOR = "#d62728"


def _map_crs() -> str:
    tiles = bool(settings.GRIDGOV_TILE_URL)
    return "gcj02" if tiles and settings.GRIDGOV_TILE_CRS == "gcj02" else "wgs84"


class CommandMapView(RolePageMixin, TemplateView):
    """实时地图: the events in scope on the map, coloured by state, overdue in red."""

    template_name = "events/command/map.html"
    roles = COMMAND_PAGE_ROLES

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filterset = EventFilterSet(self.request.GET or None,
                                          queryset=Event.objects.none())
        ctx["filter"] = filterset
        ctx["legend"] = [{"state": s.value, "label": s.label, "color": STATE_COLORS[s]}
                         for s in State if s not in (State.NOT_FILED, State.VOID, State.MERGED)]
        ctx["map_config"] = {
            "geojsonUrl": reverse("events:command_geojson"),
            "tileUrl": settings.GRIDGOV_TILE_URL,
            "tileAttribution": settings.GRIDGOV_TILE_ATTRIBUTION,
            "overdueColor": OVERDUE_COLOR,
            "refreshSeconds": 30,
            "text": {
                "loaded": _("显示 %(n)s 件事件"),
                "truncated": _("(仅显示最早到期的前 %(n)s 件)"),
                "failed": _("加载失败,请稍后重试"),
                "overdue": _("已超期"),
                "open": _("查看详情"),
            },
        }
        return ctx


class CommandGeoJSONView(RolePageMixin, View):
    """GeoJSON of the events in scope (open ones unless a state filter says otherwise)."""

    roles = COMMAND_PAGE_ROLES

    def get(self, request):
        now = timezone.now()
        queryset = Event.objects.restrict(request.user)
        if not request.GET.getlist("state"):
            queryset = queryset.exclude(state__in=list(FINAL_STATES))
        filterset = EventFilterSet(request.GET or None, queryset=queryset)
        if filterset.is_bound and not filterset.is_valid():
            return JsonResponse({"errors": [
                {"field": field, "code": "invalid", "message": str(message)}
                for field, msgs in filterset.errors.items() for message in msgs
            ]}, status=400)
        events = list(
            filterset.qs.select_related("category").only(
                "id", "number", "state", "lng", "lat", "stage_deadline", "stage_started_at",
                "supervised", "urgency", "category__name", "address", "version",
            ).order_by("stage_deadline", "-created_at")[: MAP_LIMIT + 1]
        )
        truncated = len(events) > MAP_LIMIT
        crs = _map_crs()
        features = []
        for event in events[:MAP_LIMIT]:
            lng, lat = from_wgs84(event.lng, event.lat, crs)
            status = event.deadline_status(now)
            features.append({
                "type": "Feature",
                "id": event.pk,
                "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
                "properties": {
                    "number": event.number,
                    "state": event.state,
                    "state_label": str(event.get_state_display()),
                    "category": event.category.name if event.category_id else "",
                    "address": event.address,
                    "deadline": status,
                    "overdue": status == DeadlineStatus.OVERDUE,
                    "supervised": event.supervised,
                    "urgent": event.urgency == "urgent",
                    "color": (OVERDUE_COLOR if status == DeadlineStatus.OVERDUE
                              else STATE_COLORS.get(event.state, "#333333")),
                    "url": detail_url(event),
                },
            })
        return JsonResponse({"type": "FeatureCollection", "features": features,
                             "truncated": truncated, "crs": crs})


# --- the benchmark floor --------------------------------------------------------------------


class BenchmarkFloorView(APIView):
    """benchmarks/intake.py's floor: one bare event row per request, nothing else.

    The same server, API-key authentication and JSON parsing as the intake API, then one
    INSERT: no validation, grid lookup, deadline, audit or trace. Answers 404 unless
    ``GRIDGOV_BENCHMARK_ENDPOINTS`` is on.
    """

    schema = None  # not part of the documented API

    def initial(self, request, *args, **kwargs):
        if not settings.GRIDGOV_BENCHMARK_ENDPOINTS:
            raise Http404
        super().initial(request, *args, **kwargs)

    def post(self, request):
        body = request.data
        grid_code = str(body.get("grid", ""))
        event = Event.objects.create(
            number="B" + uuid.uuid4().hex[:19], source=Source.OPEN311,
            description=str(body.get("description", ""))[:2000],
            lng=float(body.get("lng", 0)), lat=float(body.get("lat", 0)),
            grid_id=_floor_grid(grid_code), area_code=grid_code,
        )
        return Response({"id": event.pk}, status=201)


_FLOOR_GRIDS: dict[str, int] = {}


def _floor_grid(code):
    """The grid's primary key (cached per process: the floor does one query, the INSERT)."""
    if code not in _FLOOR_GRIDS:
        queryset = Area.objects.filter(level="grid")
        if code:
            queryset = queryset.filter(code=code)
        _FLOOR_GRIDS[code] = queryset.values_list("pk", flat=True).first()
    return _FLOOR_GRIDS[code]


urlpatterns = [
    path("command/", CommandRoomView.as_view(), name="command"),
    path("command/map/", CommandMapView.as_view(), name="command_map"),
    path("command/map/events.geojson", CommandGeoJSONView.as_view(), name="command_geojson"),
    path("command/<int:pk>/dispatch/", DispatchView.as_view(), name="command_dispatch"),
    path("command/bulk-dispatch/", BulkDispatchView.as_view(), name="command_bulk_dispatch"),
    path("command/<int:pk>/decide/", DecideRequestView.as_view(), name="command_decide"),
    path("department/", DepartmentListView.as_view(), name="department"),
    path("department/<int:pk>/claim/", ClaimView.as_view(), name="department_claim"),
    path("department/<int:pk>/complete/", CompleteView.as_view(), name="department_complete"),
    path("department/<int:pk>/return/", ReturnView.as_view(), name="department_return"),
    path("mine/", MyEventsView.as_view(), name="mine"),
    path("mine/<int:pk>/verify/", VerifyView.as_view(), name="mine_verify"),
    path("benchmark/floor/", BenchmarkFloorView.as_view(), name="benchmark_floor"),
]
