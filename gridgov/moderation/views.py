"""Reviewer pages for held reports and the administrator's lexicon page.

- ``/moderation/``: the held reports in the reviewer's area (pending first), each text shown
  with the matched terms highlighted;
- ``/moderation/<id>/``: one held report with approve / reject (reject needs a reason); the
  decision is audited and the event released or voided (``actions.decide_case``);
- ``/moderation/lexicon/``: the system administrator adds, disables and re-enables terms.

Reads go through ``restrict()`` (out of scope: 404); writes call ``moderation.actions``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import PermissionRequiredMixin
from gridgov.events.actions.intake import contact_display

from . import actions, matcher
from .choices import CaseStatus, TermCategory
from .models import LexiconTerm, ModerationCase

PAGE_SIZE = 50


def _hits_for(case, field):
    return [h for h in case.hits if h.get("field") == field]


def _annotate(case, user):
    event = case.event
    case.description_html = matcher.highlight(event.description,
                                              _hits_for(case, "description"))
    case.address_html = matcher.highlight(event.address, _hits_for(case, "address"))
    case.contact = contact_display(event, user)
    return case


class CaseListView(PermissionRequiredMixin, View):
    """Held reports in the reviewer's area, pending first."""

    permission = "moderation.view_held"

    def get(self, request):
        status = request.GET.get("status") or CaseStatus.PENDING
        if status not in CaseStatus.values and status != "all":
            status = CaseStatus.PENDING
        cases = ModerationCase.objects.restrict(request.user).select_related(
            "event", "event__grid", "decided_by")
        if status == CaseStatus.PENDING:
            cases = cases.pending()
        elif status != "all":
            cases = cases.filter(status=status)
        rows = [_annotate(c, request.user) for c in cases.order_by("-created_at")[:PAGE_SIZE]]
        return render(request, "moderation/case_list.html", {
            "cases": rows, "status": status, "statuses": CaseStatus.choices,
            "can_decide": self.scope.can("moderation.review")})


class CaseDetailView(PermissionRequiredMixin, View):
    """One held report with the decision form."""

    permission = "moderation.view_held"

    def _case(self, pk):
        return get_object_or_404(ModerationCase.objects.restrict(self.request.user)
                                 .select_related("event", "event__grid", "decided_by"), pk=pk)

    def get(self, request, pk, errors=None, status=200):
        case = _annotate(self._case(pk), request.user)
        return render(request, "moderation/case_detail.html", {
            "case": case, "errors": errors or {},
            "can_decide": (case.status == CaseStatus.PENDING
                           and self.scope.can("moderation.review"))}, status=status)

    def post(self, request, pk):
        case = self._case(pk)
        decision = request.POST.get("decision")
        if decision not in ("approve", "reject"):
            return self.get(request, pk, {"decision": [_("请选择放行或驳回。")]}, status=400)
        try:
            actions.decide_case(case, approve=decision == "approve", actor=request.user,
                                remark=request.POST.get("remark", ""))
        except ValidationError as exc:
            return self.get(request, pk, exc.message_dict if hasattr(exc, "error_dict")
                            else {"remark": exc.messages}, status=400)
        messages.success(request, _("已放行,事件进入受理流程。") if decision == "approve"
                         else _("已驳回,事件已作废并留档。"))
        return redirect("moderation:cases")


class LexiconView(PermissionRequiredMixin, View):
    """The lexicon: list, add, disable / enable (system administrator)."""

    permission = "moderation.manage_lexicon"

    def _render(self, request, errors=None, values=None, status=200):
        q = (request.GET.get("q") or "").strip()
        terms = LexiconTerm.objects.restrict(request.user, "change")
        if q:
            terms = terms.filter(term__contains=q)
        return render(request, "moderation/lexicon.html", {
            "terms": terms.order_by("category", "term"), "q": q, "errors": errors or {},
            "values": values or {}, "categories": TermCategory.choices}, status=status)

    def get(self, request):
        return self._render(request)

    def post(self, request):
        try:
            if request.POST.get("toggle"):
                row = get_object_or_404(LexiconTerm.objects.restrict(request.user, "change"),
                                        pk=request.POST["toggle"])
                actions.update_term(row, is_active=not row.is_active, actor=request.user)
                messages.success(request, _("已更新词条“%(t)s”。") % {"t": row.term})
            else:
                row = actions.create_term(term=request.POST.get("term"),
                                          category=request.POST.get("category"),
                                          note=request.POST.get("note", ""), actor=request.user)
                messages.success(request, _("已添加词条“%(t)s”,立即生效。") % {"t": row.term})
        except ValidationError as exc:
            return self._render(request, exc.message_dict, request.POST, status=400)
        return redirect("moderation:lexicon")
