"""Appeals (申诉): a department's form on a case counted against it, the queue, the decision."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import ActionView, PermissionRequiredMixin, error_text, safe_next

from .. import actions
from .. import indicators as ind
from ..choices import AppealStatus
from ..forms import AppealForm, DecisionForm
from ..models import Appeal


class AppealCreateView(PermissionRequiredMixin, View):
    """GET the form, POST the appeal (``actions.submit_appeal``). Another department's case
    is 404, like a missing one."""

    permission = "assess.appeal"
    template_name = "assess/appeal_form.html"

    def event(self, pk):
        return get_object_or_404(actions.appealable_events(self.request.user), pk=pk)

    def get(self, request, pk):
        event = self.event(pk)
        form = AppealForm(initial={"indicator": request.GET.get("indicator")})
        return render(request, self.template_name, {"event": event, "form": form,
                                                    "next": safe_next(request, "")})

    def post(self, request, pk):
        event = self.event(pk)
        form = AppealForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.submit_appeal(event, indicator=form.cleaned_data["indicator"],
                                      reason=form.cleaned_data["reason"],
                                      attachment=form.cleaned_data.get("attachment"),
                                      actor=request.user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except PermissionDenied as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("申诉已提交,等待值班长审核。"))
                return redirect(safe_next(request, reverse("assess:appeals")))
        return render(request, self.template_name, {"event": event, "form": form,
                                                    "next": safe_next(request, "")},
                      status=400)


class AppealListView(PermissionRequiredMixin, View):
    """The appeals the person may see (the shift leader's queue: ``?status=pending``)."""

    permission = ("assess.appeal", "assess.decide_appeal")

    def get(self, request):
        status = request.GET.get("status", "")
        qs = (Appeal.objects.restrict(request.user, "view")
              .select_related("event", "department", "submitted_by", "decided_by")
              .order_by("status", "-submitted_at"))
        if status in AppealStatus.values:
            qs = qs.filter(status=status)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        can_decide = self.scope.can("assess.decide_appeal")
        rows = [{"appeal": a, "indicator": ind.label(a.indicator),
                 "detail": reverse("events:detail", args=[a.event_id])}
                for a in page.object_list]
        return render(request, "assess/appeals.html", {
            "rows": rows, "page": page, "status": status, "statuses": AppealStatus.choices,
            "can_decide": can_decide, "decision_form": DecisionForm()})


class AppealDecideView(ActionView):
    permission = "assess.decide_appeal"
    model = Appeal

    def back_url(self, request, *args, **kwargs):
        return safe_next(request, reverse("assess:appeals") + "?status=pending")

    def run(self, request, pk):
        appeal = self.get_object()
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors.get("decision_reason") or form.errors.get(
                "decision") or _("请填写审核意见。"))
        accept = form.cleaned_data["decision"] == "accept"
        actions.decide_appeal(appeal, accept=accept,
                              reason=form.cleaned_data["decision_reason"], actor=request.user)
        return _("已同意核减。") if accept else _("已驳回申诉。")
