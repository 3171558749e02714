"""我的通知: the signed-in person's notifications, newest first, with mark-read buttons."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import ScopedListView

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


def _back(request):
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("notifications:list")


class MarkReadView(LoginRequiredMixin, View):
    """POST: mark one notification read, then go back (or on to its event)."""

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, pk):
        notification = get_object_or_404(Notification.objects.restrict(request.user), pk=pk)
        actions.mark_read(notification, actor=request.user)
        return redirect(_back(request))


class MarkAllReadView(LoginRequiredMixin, View):
    """POST: mark every unread notification of the person read."""

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request):
        count = actions.mark_all_read(actor=request.user)
        messages.success(request, _("已将 %(n)d 条通知标为已读。") % {"n": count})
        return redirect(_back(request))
