"""The department handler's list (部门待办, ``events.department_work``) and the handler's
buttons (claim, complete, return), which grid workers use for tasks sent to their grid too.

- ``/events/department/``: ``queues.DEPARTMENT``: what the department holds now, to claim,
  being handled, overdue.
"""

from django.urls import path
from django.utils.translation import gettext as _

from .. import actions, evidence, queues
from .lists import EventButtonView, QueuePage, posted_version


class DepartmentListView(QueuePage):
    """部门待办: events dispatched to the handler's department (claim, complete, return)."""

    template_name = "events/command/department.html"
    live_template = "events/command/_department_rows.html"
    room = queues.DEPARTMENT

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        add_evidence(ctx["rows"], "complete")
        return ctx


def add_evidence(rows, action) -> None:
    """Each row's evidence requirement for ``action`` (the form marks a photo required)."""
    found = evidence.requirements([row["event"] for row in rows], action)
    for row in rows:
        row[f"{action}_evidence"] = found[row["event"].pk]


class ClaimView(EventButtonView):
    """签收: the handler takes the dispatched event."""

    permission = "events.claim"
    back_name = "events:department"

    def act(self, request, event):
        actions.claim_event(event, actor=request.user, expected_version=posted_version(request))
        return _("已签收事件 %(number)s。") % {"number": event.number}


class CompleteView(EventButtonView):
    """处置完毕: the handler reports the work done (remark and photos)."""

    permission = "events.complete"
    back_name = "events:department"

    def act(self, request, event):
        # Raw uploads: the action reads, sniffs and checks them (``prepare_attachments``).
        files = request.FILES.getlist("photos")
        actions.complete_event(event, remark=request.POST.get("remark", ""), attachments=files,
                               overdue_reason=request.POST.get("overdue_reason", ""),
                               lng=request.POST.get("lng"), lat=request.POST.get("lat"),
                               actor=request.user, expected_version=posted_version(request))
        return _("事件 %(number)s 已报处置完毕,等待核查。") % {"number": event.number}


class ReturnView(EventButtonView):
    """回退: a department that is not responsible sends the event back (reason required)."""

    permission = "events.return"
    back_name = "events:department"

    def act(self, request, event):
        actions.return_event(event, reason=request.POST.get("reason", ""), actor=request.user,
                             expected_version=posted_version(request))
        return _("事件 %(number)s 已回退至派遣员。") % {"number": event.number}


urlpatterns = [
    path("department/", DepartmentListView.as_view(), name="department"),
    path("department/<int:pk>/claim/", ClaimView.as_view(), name="department_claim"),
    path("department/<int:pk>/complete/", CompleteView.as_view(), name="department_complete"),
    path("department/<int:pk>/return/", ReturnView.as_view(), name="department_return"),
]
