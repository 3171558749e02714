"""角色与权限: the security administrator's pages over the role → permission table.

Roles and what they may do are data (``core.RoleDefinition``); these pages show them and
change them through ``gridgov.core.actions`` (audited, and the cache of the table dropped, so
the next request of every holder sees the change). All of them need ``core.manage_roles``.
"""

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from gridgov.areas.choices import Level
from gridgov.core import actions as core_actions
from gridgov.core.models import Permission, RoleDefinition
from gridgov.core.views import ActionView, PermissionRequiredMixin

from ..forms import RoleCreateForm
from ..models import Assignment

MANAGE = "core.manage_roles"


def permission_groups(checked=frozenset()) -> list[dict]:
    """The declared permissions grouped by app (the app's Chinese name), each marked when it is
    in ``checked``: the checkboxes of a role's page."""
    groups: dict[str, dict] = {}
    for perm in Permission.objects.filter(is_declared=True).order_by("code"):
        label = perm.app
        try:
            label = apps.get_app_config(perm.app).verbose_name
        except LookupError:
            pass
        group = groups.setdefault(perm.app, {"app": perm.app, "label": label, "items": []})
        group["items"].append({"code": perm.code, "label": perm.label,
                               "checked": perm.code in checked})
    return list(groups.values())


class RoleListView(PermissionRequiredMixin, ListView):
    """Every role, with how many permissions it grants and how many people hold it."""

    permission = MANAGE
    template_name = "accounts/role_list.html"
    context_object_name = "roles"

    def get_queryset(self):
        return RoleDefinition.objects.annotate(
            permission_count=Count("permissions", filter=Q(permissions__is_declared=True),
                                   distinct=True),
        ).order_by("order", "code")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        holders = dict(
            Assignment.objects.filter(user__is_active=True).values("role")
            .annotate(n=Count("user", distinct=True)).values_list("role", "n")
        )
        for role in ctx["roles"]:
            role.holder_count = holders.get(role.code, 0)
        return ctx


class RoleDetailView(PermissionRequiredMixin, TemplateView):
    """A role: its flags and its permissions as checkboxes, grouped by app."""

    permission = MANAGE
    template_name = "accounts/role_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        role = get_object_or_404(RoleDefinition, code=self.kwargs["code"])
        checked = frozenset(role.permissions.values_list("code", flat=True))
        levels = dict(Level.choices)
        ctx.update(
            role=role,
            groups=permission_groups(checked),
            level_labels=[levels.get(level, level) for level in role.area_levels or ()],
        )
        return ctx


class RolePermissionsView(ActionView):
    """Save the ticked permissions of a role (``core.actions.set_role_permissions``)."""

    permission = MANAGE
    model = RoleDefinition

    def run(self, request, code):
        role = self.get_object(code=code)
        core_actions.set_role_permissions(role, request.POST.getlist("permissions"),
                                          actor=request.user)
        return _("已保存角色“%(name)s”的权限。") % {"name": role.name}

    def back_url(self, request, code):
        return reverse("accounts:role_detail", args=[code])


class RoleCreateView(PermissionRequiredMixin, FormView):
    """A new role; its permissions are chosen on its page next."""

    permission = MANAGE
    form_class = RoleCreateForm
    template_name = "accounts/role_form.html"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            role = core_actions.create_role(
                code=data["code"], name=data["name"], description=data["description"],
                area_levels=data["area_levels"], department_bound=data["department_bound"],
                order=data["order"], actor=self.request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("已创建角色“%(name)s”,请勾选其权限。") % {
            "name": role.name})
        return redirect("accounts:role_detail", code=role.code)
