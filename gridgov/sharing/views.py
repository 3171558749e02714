"""Pages of the data resource centre: the catalog, publishing, requests and answers, grants,
and the exchange evidence with usage statistics."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Sum
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from gridgov.core.access import get_scope
from gridgov.core.querysets import CHANGE, VIEW
from gridgov.core.views import (
    ActionView,
    PermissionRequiredMixin,
    ScopedDetailView,
    ScopedListView,
    error_text,
)

from . import actions
from .checks import GRANT_AXIS
from .choices import RequestStatus, SharingType
from .filtersets import ExchangeLogFilterSet, ResourceFilterSet, ShareRequestFilterSet
from .forms import ApproveForm, PublishForm, ReasonForm, RequestForm, ResolveForm, UploadForm
from .models import ExchangeLog, Grant, Resource, ShareRequest
from .permissions import (
    ANSWER,
    COORDINATE,
    EXCHANGE_PAGES,
    PUBLISH,
    REQUEST,
    SHARING_WORK,
    USE_DATA,
)


def _apply_errors(form, exc: ValidationError, aliases=None):
    """Put an action's ValidationError on the form's fields (unknown ones on the form)."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


# --- catalog --------------------------------------------------------------------------------


class CatalogView(ScopedListView):
    """The resource catalog with search and filters."""

    model = Resource
    template_name = "sharing/catalog.html"
    context_object_name = "resources"

    def get_queryset(self):
        queryset = super().get_queryset().filter(is_published=True).select_related("provider")
        self.filterset = ResourceFilterSet(self.request.GET or None, queryset=queryset)
        return self.filterset.qs.order_by("code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        scope = get_scope(self.request.user)
        context["can_publish"] = bool(scope and scope.department_can(PUBLISH))
        # Which of these the visitor's department may already read (the scope's grant axis).
        context["granted_ids"] = scope.axis(GRANT_AXIS) if scope else frozenset()
        return context


class ResourceDetailView(ScopedDetailView):
    """One catalog entry: metadata, data items, the visitor's grant, the request form; for
    the provider also the grants, pending requests, usage and the upload form."""

    model = Resource
    template_name = "sharing/resource_detail.html"
    slug_field = slug_url_kwarg = "code"
    context_object_name = "resource"

    def get_queryset(self):
        return super().get_queryset().select_related("provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resource = self.object
        user = self.request.user
        scope = get_scope(user)
        department_id = scope.department_id
        is_provider = department_id == resource.provider_id and scope.department_can(PUBLISH)
        context["fields"] = list(resource.fields.all())
        context["is_provider"] = is_provider
        context["my_grant"] = (Grant.objects.active().select_related("resource")
                               .filter(resource=resource, consumer_id=department_id).first()
                               if department_id else None)
        # The preview and download pages (views_data) open to these people only.
        context["can_use_data"] = bool(department_id and scope.department_can(USE_DATA))
        can_request = (
            department_id != resource.provider_id and scope.department_can(REQUEST)
            and resource.sharing_type != SharingType.NOT_SHARED
        )
        context["request_form"] = RequestForm(resource=resource) if can_request else None
        if is_provider:
            context["grants"] = list(Grant.objects.active().filter(resource=resource)
                                     .select_related("consumer", "resource")
                                     .prefetch_related("resource__fields"))
            context["pending"] = list(ShareRequest.objects.filter(
                resource=resource, status=RequestStatus.PENDING).select_related("consumer"))
            context["usage"] = ExchangeLog.objects.filter(resource=resource).aggregate(
                calls=Count("pk"), rows=Sum("row_count"), last=Max("at"))
            context["upload_form"] = None if resource.builtin_key else UploadForm()
        return context


class PublishView(PermissionRequiredMixin, FormView):
    """Publish a resource of the user's department (data officer, department admin)."""

    permission = PUBLISH
    form_class = PublishForm
    template_name = "sharing/publish.html"

    def form_valid(self, form):
        user = self.request.user
        if user.department is None:
            raise PermissionDenied(_("您不属于任何部门。"))
        try:
            resource = actions.publish_resource(provider=user.department, actor=user,
                                                **form.action_kwargs())
        except ValidationError as exc:
            _apply_errors(form, exc, {"fields": "fields_text"})
            return self.form_invalid(form)
        messages.success(self.request, _("资源已发布:%(code)s。") % {"code": resource.code})
        return redirect("sharing:resource", code=resource.code)


def _resource_or_404(request, code, action="view"):
    return get_object_or_404(Resource.objects.restrict(request.user, action), code=code)


class RequestCreateView(PermissionRequiredMixin, View):
    """Apply for a resource (the form is on the resource page; errors render here)."""

    permission = REQUEST

    def get(self, request, code):
        resource = _resource_or_404(request, code)
        return render(request, "sharing/request_form.html",
                      {"resource": resource, "form": RequestForm(resource=resource)})

    def post(self, request, code):
        resource = _resource_or_404(request, code)
        form = RequestForm(request.POST, resource=resource)
        if form.is_valid():
            try:
                req = actions.request_share(resource, purpose=form.cleaned_data["purpose"],
                                            fields=form.cleaned_data["fields"],
                                            actor=request.user)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if req.status == RequestStatus.APPROVED:
                    messages.success(request, _("无条件共享资源,已自动授权。"))
                else:
                    messages.success(request, _("申请已提交,提供部门应在 10 个工作日内答复。"))
                return redirect("sharing:request_detail", pk=req.pk)
        return render(request, "sharing/request_form.html",
                      {"resource": resource, "form": form}, status=400)


class UploadView(PermissionRequiredMixin, View):
    """Upload CSV rows of a department-published resource (provider only); the answer is
    the report page, so this is not an ``ActionView``."""

    permission = PUBLISH

    def get(self, request, code):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, code):
        resource = _resource_or_404(request, code, CHANGE)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("请选择要上传的 CSV 文件。"))
            return redirect("sharing:resource", code=code)
        try:
            report = actions.upload_rows(resource, form.cleaned_data["file"].read(),
                                         actor=request.user,
                                         replace=form.cleaned_data["replace"])
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("sharing:resource", code=code)
        return render(request, "sharing/upload_report.html",
                      {"resource": resource, "report": report})


# --- requests -------------------------------------------------------------------------------


class RequestListView(PermissionRequiredMixin, ScopedListView):
    """Requests of the user's department: made, received, and put to it for coordination."""

    permission = SHARING_WORK
    model = ShareRequest
    template_name = "sharing/request_list.html"
    context_object_name = "requests"

    def get_queryset(self):
        queryset = super().get_queryset().select_related("resource__provider", "consumer")
        self.filterset = ShareRequestFilterSet(self.request.GET or None, queryset=queryset,
                                               request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context


class RequestDetailView(PermissionRequiredMixin, ScopedDetailView):
    """One request with the answers the visitor may give."""

    permission = SHARING_WORK
    model = ShareRequest
    template_name = "sharing/request_detail.html"
    context_object_name = "req"

    def get_queryset(self):
        return super().get_queryset().select_related("resource__provider", "consumer",
                                                     "coordinator")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        req = self.object
        scope = self.scope
        department_id = scope.department_id
        is_provider = scope.department_can(ANSWER) and department_id == req.resource.provider_id
        is_consumer = department_id == req.consumer_id
        pending = req.status == RequestStatus.PENDING
        context.update({
            "approve_form": ApproveForm(share_request=req) if is_provider and pending else None,
            "can_refuse": is_provider and pending,
            "can_dispute": is_consumer and (req.status == RequestStatus.REFUSED
                                            or (pending and req.is_overdue)),
            "can_withdraw": is_consumer and pending,
            "resolve_form": ResolveForm() if (
                scope.department_can(COORDINATE) and department_id == req.coordinator_id
                and req.status == RequestStatus.DISPUTED) else None,
            "reason_form": ReasonForm(),
            "grants": list(req.grants.select_related("resource")
                           .prefetch_related("resource__fields")),
        })
        return context


class RequestActionView(ActionView):
    """approve / refuse / dispute / resolve / withdraw one request (POST); the action
    decides whether the visitor's department may."""

    permission = SHARING_WORK
    model = ShareRequest
    scope_action = VIEW
    verb = ""

    def get_object(self, **lookup):
        return get_object_or_404(ShareRequest.objects.restrict(self.request.user, VIEW)
                                 .select_related("resource__provider"), pk=self.kwargs["pk"])

    def back_url(self, request, pk):
        return reverse("sharing:request_detail", kwargs={"pk": pk})

    def run(self, request, pk) -> str:
        req = self.get_object()
        reason = request.POST.get("reason", "")
        if self.verb == "approve":
            form = ApproveForm(request.POST, share_request=req)
            if not form.is_valid():
                raise ValidationError({"fields": _("请至少选择一个字段。")})
            actions.approve_request(req, actor=request.user,
                                    fields=form.cleaned_data["fields"],
                                    masking=form.masking())
            return _("已同意并授权。")
        if self.verb == "refuse":
            actions.refuse_request(req, reason=reason, actor=request.user)
            return _("已拒绝。")
        if self.verb == "dispute":
            actions.dispute_request(req, reason=reason, actor=request.user)
            return _("异议已提交协调部门。")
        if self.verb == "resolve":
            form = ResolveForm(request.POST)
            if not form.is_valid():
                raise ValidationError({"approve": _("请选择协调结论。")})
            actions.resolve_dispute(req, approve=form.cleaned_data["approve"],
                                    resolution=form.cleaned_data["resolution"],
                                    actor=request.user)
            return _("协调意见已记录。")
        if self.verb == "withdraw":
            actions.withdraw_request(req, actor=request.user)
            return _("申请已撤回。")
        raise Http404


# --- grants and evidence --------------------------------------------------------------------


class GrantListView(PermissionRequiredMixin, ScopedListView):
    """Grants the department holds and grants it gave (revocable by its publishers)."""

    permission = (REQUEST, ANSWER)
    model = Grant
    template_name = "sharing/grant_list.html"
    context_object_name = "grants"

    def get_queryset(self):
        queryset = (super().get_queryset().select_related("resource__provider", "consumer")
                    .prefetch_related("resource__fields"))
        if self.request.GET.get("active", "1") == "1":
            queryset = queryset.filter(revoked_at__isnull=True)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["department_id"] = self.scope.department_id
        context["publisher"] = self.scope.department_can(ANSWER)
        return context


class GrantRevokeView(ActionView):
    """The provider revokes a grant (POST, with a reason)."""

    permission = ANSWER
    model = Grant
    scope_action = CHANGE

    def back_url(self, request, pk):
        return reverse("sharing:grants")

    def run(self, request, pk) -> str:
        actions.revoke_grant(self.get_object(), reason=request.POST.get("reason", ""),
                             actor=request.user)
        return _("授权已撤销,对方下一次调用将被拒绝。")


class ExchangeListView(PermissionRequiredMixin, ScopedListView):
    """Exchange evidence and usage per resource (departments concerned; audit admin all)."""

    permission = EXCHANGE_PAGES
    model = ExchangeLog
    template_name = "sharing/exchange_list.html"
    context_object_name = "logs"

    def get_queryset(self):
        queryset = super().get_queryset().select_related("resource", "consumer", "provider")
        self.filterset = ExchangeLogFilterSet(self.request.GET or None, queryset=queryset)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["usage"] = list(
            self.filterset.qs.order_by().values("resource__code", "resource__name")
            .annotate(calls=Count("pk"), rows=Sum("row_count"), last=Max("at"),
                      consumers=Count("consumer", distinct=True))
            .order_by("-calls", "resource__code")[:50]
        )
        return context
