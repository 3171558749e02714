"""我的通知: the signed-in person's notifications, newest first, with mark-read buttons.

A notification is personal, so no permission opens these pages: any signed-in person reads
and marks their own (``Notification.restrict_q`` keeps the recipient; anyone else's is 404).
"""

from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from gridgov.core.views import ActionView, ScopedListView

from . import actions
from .filtersets import NotificationFilterSet
from .models import Notification


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
