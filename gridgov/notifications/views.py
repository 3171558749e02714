"""我的通知: the signed-in person's notifications, newest first, with mark-read buttons;
and the alert feed their open pages poll (``alerts.js``).

A notification is personal, so no permission opens these pages: any signed-in person reads
and marks their own (``Notification.restrict_q`` keeps the recipient; anyone else's is 404).
"""

from django.db.models import Count, Max, Q
from django.http import JsonResponse
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import ActionView, ScopedListView

from . import actions
from .choices import ALERT_KINDS, ALERT_LEVELS
from .filtersets import NotificationFilterSet
from .models import Notification

# At most this many alerts in one answer (a person back after a long absence sees the newest
# few as toasts and the rest on 我的通知 through the bell's count).
FEED_LIMIT = 5


class NotificationListView(ScopedListView):
    """The person's own notifications (nobody else's: ``restrict_q`` keeps the recipient)."""

    model = Notification
    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"

    def get_queryset(self):
        queryset = super().get_queryset().select_related("event")
        self.filterset = NotificationFilterSet(self.request.GET or None, queryset=queryset)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = self.filterset
        ctx["unread_count"] = (
            Notification.objects.restrict(self.request.user).unread().count()
        )
        return ctx


class _InboxButton(ActionView):
    # Any signed-in person: the inbox is their own (see the module docstring).
    permission = ()
    model = Notification
    success_url = reverse_lazy("notifications:list")


class MarkReadView(_InboxButton):
    """POST: mark one notification read, then go back (or on to its event)."""

    def run(self, request, pk) -> str:
        actions.mark_read(self.get_object(), actor=request.user)
        return ""


class MarkAllReadView(_InboxButton):
    """POST: mark every unread notification of the person read."""

    def run(self, request) -> str:
        count = actions.mark_all_read(actor=request.user)
        return _("已将 %(n)d 条通知标为已读。") % {"n": count}


def _event_url(event_id) -> str:
    try:
        return reverse("events:detail", kwargs={"pk": event_id})
    except NoReverseMatch:  # an installation without the event pages
        return ""


def _alert(note) -> dict:
    """One alert as the toast shows it: what, about which case, and where clicking leads."""
    return {
        "id": note.pk,
        "kind": note.kind,
        "label": note.get_kind_display(),
        "level": ALERT_LEVELS.get(note.kind, "info"),
        "text": note.text,
        "url": _event_url(note.event_id) if note.event_id else "",
        "read_url": reverse("notifications:read", args=[note.pk]),
        "created_at": note.created_at.isoformat(),
    }


class AlertFeedView(View):
    """GET ``?after=<id>``: the person's unread count and their unread alerts newer than
    ``after`` (JSON), polled by ``alerts.js`` on every signed-in page.

    One aggregate query answers when nothing is new (the unread count, the newest id, how
    many alerts are newer than ``after``); a second reads the new alerts only when there are
    some. Without ``after`` the answer is a baseline: the count and the newest id, no alerts,
    so opening a page does not replay old alerts. Anonymous callers get 401 (the page then
    stops polling); only the person's own notifications are read (``restrict``).
    """

    def get(self, request):
        if not request.user.is_authenticated:
            return JsonResponse({"errors": [{"field": None, "code": "not_authenticated",
                                             "message": _("请先登录。")}]}, status=401)
        raw = request.GET.get("after", "")
        if raw and not raw.isdigit():
            return JsonResponse({"errors": [{"field": "after", "code": "invalid",
                                             "message": _("须为非负整数。")}]}, status=400)
        after = int(raw) if raw else None
        mine = Notification.objects.restrict(request.user)
        unread = Q(read_at__isnull=True)
        new_alerts = unread & Q(kind__in=sorted(ALERT_KINDS), pk__gt=after or 0)
        totals = mine.aggregate(unread=Count("pk", filter=unread), latest=Max("pk"),
                                new=Count("pk", filter=new_alerts))
        alerts = []
        if after is not None and totals["new"]:
            newest = mine.filter(new_alerts).only(
                "pk", "kind", "text", "event_id", "created_at").order_by("-pk")[:FEED_LIMIT]
            alerts = [_alert(note) for note in reversed(list(newest))]
        latest = max(totals["latest"] or 0, after or 0)
        return JsonResponse({"unread": totals["unread"], "latest": latest, "alerts": alerts,
                             "more": max(totals["new"] - len(alerts), 0) if alerts else 0})
