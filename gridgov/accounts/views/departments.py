"""Departments and their API keys (the system administrator; department administrators for
their own department's keys)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from gridgov.core.access import get_scope
from gridgov.core.views import ActionView, PermissionRequiredMixin, ScopedListView, error_text

from .. import actions
from ..choices import DepartmentKind
from ..forms import ApiKeyForm, DepartmentCreateForm
from ..models import ApiKey, Department

KEYS = "accounts.manage_api_keys"


class DepartmentListView(PermissionRequiredMixin, ScopedListView):
    permission = "accounts.manage_departments"
    model = Department
    template_name = "accounts/department_list.html"
    context_object_name = "departments"

    def get_queryset(self):
        qs = super().get_queryset().select_related("area")
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) |
                           Q(code__icontains=q))
        kind = self.request.GET.get("kind", "")
        if kind in DepartmentKind.values:
            qs = qs.filter(kind=kind)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["q"] = self.request.GET.get("q", "")
        ctx["kind"] = self.request.GET.get("kind", "")
        ctx["kind_choices"] = DepartmentKind.choices
        return ctx


class DepartmentCreateView(PermissionRequiredMixin, FormView):
    permission = "accounts.manage_departments"
    form_class = DepartmentCreateForm
    template_name = "accounts/department_form.html"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            dept = actions.create_department(
                code=data["code"], name=data["name"], short_name=data["short_name"],
                kind=data["kind"], area=data["area"], phone=data["phone"],
                actor=self.request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = "area_code" if field == "area" else field
                form.add_error(target if target in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("已创建部门 %(name)s。") % {"name": dept.name})
        return redirect("accounts:departments")


# --- API keys -------------------------------------------------------------------------------


class ApiKeyListView(PermissionRequiredMixin, ScopedListView):
    permission = KEYS
    model = ApiKey
    template_name = "accounts/apikey_list.html"
    context_object_name = "keys"

    def get_queryset(self):
        return super().get_queryset().select_related("department", "created_by")


def key_departments(user):
    """The departments whose keys a principal may issue: every one when it holds the
    permission through an area role, else its own (through a department-bound role)."""
    scope = get_scope(user)
    qs = Department.objects.filter(is_active=True)
    if scope.roles_with(KEYS, department_bound=False):
        return qs
    return qs.filter(pk=scope.department_id) if scope.department_can(KEYS) else qs.none()


@method_decorator(never_cache, name="dispatch")
class ApiKeyIssueView(PermissionRequiredMixin, FormView):
    """Issue a key. The raw key is in this one response and nowhere else."""

    permission = KEYS
    form_class = ApiKeyForm
    template_name = "accounts/apikey_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["departments"] = key_departments(self.request.user)
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        if self.scope.department_id and not self.scope.roles_with(KEYS, department_bound=False):
            initial["department"] = self.scope.department_id
        return initial

    def form_valid(self, form):
        try:
            key, raw = actions.issue_api_key(form.cleaned_data["department"],
                                             name=form.cleaned_data["name"],
                                             actor=self.request.user)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
            return self.form_invalid(form)
        return render(self.request, "accounts/apikey_issued.html", {"key": key, "raw_key": raw})


class ApiKeyRevokeView(ActionView):
    permission = KEYS
    model = ApiKey

    def run(self, request, pk):
        key = self.get_object()
        actions.revoke_api_key(key, actor=request.user)
        return _("已吊销密钥 %(p)s…。") % {"p": key.prefix}

    def back_url(self, request, pk):
        return reverse("accounts:api_keys")
