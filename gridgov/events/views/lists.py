"""What the event list pages share: the queue page, its rows, and the buttons' base view.

Every list reads through ``Event.objects.restrict()`` and ``gridgov.events.queues``; each
row carries the deadline mark the database computed with the queue filters
(``with_deadline_status``), so a badge never disagrees with the count above it. Counts are
one aggregate query; each list a constant number of queries whatever its length.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from gridgov.core.views import ActionView, PermissionRequiredMixin, safe_next

from .. import actions, queues
from ..choices import DeadlineStatus
from ..filtersets import EventFilterSet
from ..models import Event

PAGE_SIZE = 50
# The id of a queue page's live region: htmx names it in ``HX-Target`` when it refreshes.
LIVE_TARGET = "gg-queue-live"
DEFAULT_REFRESH_SECONDS = 30

LIST_RELATED = ("category", "category__major", "category__default_department", "department",
                "grid", "assignee")
LIST_FIELDS = (
    "id", "number", "source", "nature", "urgency", "state", "description", "address",
    "area_code", "supervised", "stage_deadline", "stage_started_at", "handle_deadline",
    "created_at", "version", "lng", "lat", "category__code", "category__name",
    "category__default_department_id", "category__default_department__name",
    "category__major__name", "category__major_id", "department__name",
    "grid__name", "grid__code", "assignee__real_name", "assignee__username",
    "reporter_user_id", "level", "resolved_on_spot",
)


def detail_url(event) -> str | None:
    """The event's detail page, when the installation has one."""
    for kwargs in ({"pk": event.pk}, {"number": event.number}):
        try:
            return reverse("events:detail", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def deadline_mark(event, now) -> str:
    """The row's mark: the database's (``with_deadline_status``) when the list asked for it,
    else the same rule computed on the instance."""
    value = getattr(event, "deadline_status_value", None)
    return value if value is not None else event.deadline_status(now)


def rows(events, now) -> list[dict]:
    """Events with their deadline mark and link (no queries)."""
    out = []
    for event in events:
        status = deadline_mark(event, now)
        out.append({
            "event": event,
            "deadline": status,
            "deadline_label": DeadlineStatus(status).label,
            "overdue": status == DeadlineStatus.OVERDUE,
            "due_soon": status == DeadlineStatus.DUE_SOON,
            "url": detail_url(event),
            "default_department": (event.category.default_department_id
                                   if event.category_id else None),
            # Named on the one-click dispatch button, so nobody dispatches blind.
            "default_department_name": (event.category.default_department.name
                                        if event.category_id
                                        and event.category.default_department_id else ""),
        })
    return out


def refresh_seconds() -> float:
    """How often an open queue page refreshes its counts and rows
    (``GRIDGOV_QUEUE_REFRESH_SECONDS``; 0: never)."""
    return float(getattr(settings, "GRIDGOV_QUEUE_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS))


class QueuePage(PermissionRequiredMixin, TemplateView):
    """A page of queues (a ``queues.Room``): counts for each, the chosen one listed.

    ``param`` is the query parameter naming the queue; ``filtered`` pages offer the event
    filters on the chosen queue. The rows (``live_template``) sit in a live region that
    polls the same address (filters, queue and page kept) with htmx: asked with
    ``HX-Target: gg-queue-live`` the page answers only that region and the tabs (swapped out
    of band), so counts and rows stay current without a reload (``gridgov/js/alerts.js``
    holds the refresh while the tab is hidden or the person is typing in the region).
    """

    room: queues.Room = None
    param = "queue"
    filtered = True
    live_template = ""

    def is_live_refresh(self) -> bool:
        return (self.request.headers.get("HX-Request") == "true"
                and self.request.headers.get("HX-Target") == LIVE_TARGET)

    def get_template_names(self):
        if self.is_live_refresh():
            return ["events/command/_live.html"]
        return super().get_template_names()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # The same address answers a page or a region: caches must tell them apart.
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        return response

    def required_permissions(self) -> tuple:
        return self.room.permission

    def default_queue(self) -> str:
        return queues.default_queue(self.scope, self.room)

    def list_queryset(self, queryset, queue, now):
        """The chosen queue's rows, with what its template shows."""
        return (queryset.select_related(*LIST_RELATED).only(*LIST_FIELDS)
                .with_deadline_status(now).order_by("stage_deadline", "-created_at", "-id"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        user = self.request.user
        visible = self.room.visible(self.scope)
        counts = queues.counts(user, now, self.room)
        queue = self.request.GET.get(self.param) or self.default_queue()
        if queue not in counts:
            # A queue of another room, or one this person does not see.
            raise Http404(_("没有这个队列。"))
        queryset = queues.queue_queryset(queue, user, now, self.room)
        filterset = None
        if self.filtered:
            filterset = EventFilterSet(self.request.GET or None, queryset=queryset,
                                       request=self.request)
            queryset = (filterset.qs if not filterset.is_bound or filterset.is_valid()
                        else queryset.none())
        page = Paginator(self.list_queryset(queryset, queue, now), PAGE_SIZE).get_page(
            self.request.GET.get("page"))
        tabs = [{"key": q.key, "label": q.label, "count": counts[q.key],
                 "active": q.key == queue} for q in visible]
        ctx.update({
            "queues": tabs,
            "queue": queue,
            "filter": filterset,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "rows": rows(page.object_list, now),
            "now": now,
            "param": self.param,
            "live_template": self.live_template,
            "live_target": LIVE_TARGET,
            "refresh_ms": int(refresh_seconds() * 1000),
        })
        return ctx


# --- buttons --------------------------------------------------------------------------------

FIELD_LABELS = {
    "remark": gettext_lazy("处置情况"),
    "reason": gettext_lazy("理由"),
    "department": gettext_lazy("责任部门"),
    "overdue_reason": gettext_lazy("超期说明"),
    "attachments": gettext_lazy("照片"),
}


def labelled_error(exc, labels=FIELD_LABELS) -> str:
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


def state_label(exc, event) -> str:
    """The state the event stands in after a lost race (for the conflict message)."""
    current = getattr(exc, "event", None) or Event.objects.filter(pk=event.pk).first()
    return current.get_state_display() if current is not None else ""


def posted_version(request, name="version"):
    """The event version the page was drawn with (optimistic concurrency), if posted."""
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() else None


class EventButtonView(ActionView):
    """A POST button calling one action on one event (read through ``restrict()``), then
    back to ``next`` or the list with a message naming the event."""

    model = Event
    back_name = "events:command"
    back_query = ""
    field_labels = FIELD_LABELS

    def act(self, request, event) -> str:
        raise NotImplementedError("EventButtonView subclasses call one action in act()")

    def run(self, request, pk):
        event = self.get_object(pk=pk)
        try:
            return self.act(request, event)
        except actions.Conflict as exc:
            raise ValidationError(
                _("事件 %(number)s 已被他人处理,当前状态:%(state)s。%(detail)s")
                % {"number": event.number, "state": state_label(exc, event),
                   "detail": str(exc)}) from exc
        except (ValidationError, PermissionDenied) as exc:
            raise ValidationError(
                f"{event.number}:{labelled_error(exc, self.field_labels)}") from exc

    def back_url(self, request, *args, **kwargs) -> str:
        return safe_next(request, reverse(self.back_name) + self.back_query)
