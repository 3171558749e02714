"""The grid worker's list (我的事件): events to verify on site, tasks sent to the grid, and
their own reports (``queues.GRID``), with the verification buttons.

- ``/events/mine/``: for grid roles (``events.grid_work`` or ``events.report_patrol``: the
  instructor sees their own reports; verification and grid tasks only where the person holds
  ``events.grid_work``).
"""

from django.urls import path
from django.utils.translation import gettext as _

from .. import actions, queues
from .department import add_evidence
from .lists import EventButtonView, QueuePage, posted_version


class MyEventsView(QueuePage):
    """我的事件: a grid worker's events to verify, to handle on the grid, and own reports."""

    template_name = "events/command/mine.html"
    live_template = "events/command/_mine_rows.html"
    room = queues.GRID
    param = "tab"
    filtered = False

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tabs"], ctx["tab"] = ctx["queues"], ctx["queue"]
        add_evidence(ctx["rows"], "verify")
        add_evidence(ctx["rows"], "complete")
        return ctx


class VerifyView(EventButtonView):
    """核查: the grid worker checks on site (with the photos the class's evidence rule asks
    for); passed closes, failed sends back for rework."""

    permission = "events.verify"
    back_name = "events:mine"

    def act(self, request, event):
        passed = request.POST.get("passed") == "1"
        # Raw uploads: the action reads, sniffs and checks them (``prepare_attachments``).
        files = request.FILES.getlist("photos")
        actions.verify_event(event, passed=passed, remark=request.POST.get("remark", ""),
                             attachments=files, lng=request.POST.get("lng"),
                             lat=request.POST.get("lat"), actor=request.user,
                             expected_version=posted_version(request))
        if passed:
            return _("事件 %(number)s 核查通过,已结案。") % {"number": event.number}
        return _("事件 %(number)s 核查未通过,已退回返工。") % {"number": event.number}


urlpatterns = [
    path("mine/", MyEventsView.as_view(), name="mine"),
    path("mine/<int:pk>/verify/", VerifyView.as_view(), name="mine_verify"),
]
