"""Accounts and their roles, lock-outs and second factors (the account administrators).

Each page and button requires the permission of its duty (``accounts/permissions.py``; by
default 等保 "三员": the system administrator manages people, the security administrator roles,
lock-outs and second factors). Reads go through ``restrict()``; every change is an action.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from gridgov.core import personal_data
from gridgov.core.access import grants
from gridgov.core.querysets import CHANGE
from gridgov.core.views import (
    ActionView,
    PermissionRequiredMixin,
    ScopedDetailView,
    ScopedListView,
    safe_next,
)

from .. import actions, lockout
from ..forms import AssignRoleForm, UnlockForm, UserCreateForm
from ..models import AccountLock, Assignment, User


class UserActionView(ActionView):
    """A button on a person's page: the person comes through ``restrict(user, "change")``."""

    model = User

    def back_url(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is None:
            return safe_next(request, reverse("accounts:users"))
        return reverse("accounts:user_detail", args=[pk])


class UserListView(PermissionRequiredMixin, ScopedListView):
    """Accounts, for the system administrator (accounts) and security administrator (roles)."""

    permission = "accounts.view_users"
    model = User
    template_name = "accounts/user_list.html"
    context_object_name = "users"

    def get_queryset(self):
        qs = super().get_queryset().select_related("department").prefetch_related(
            "assignments__area")
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(username__icontains=q) | Q(real_name__icontains=q))
        role = self.request.GET.get("role", "")
        if role in dict(grants.role_choices(assignable_only=False)):
            qs = qs.filter(assignments__role=role).distinct()
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["q"] = self.request.GET.get("q", "")
        ctx["role"] = self.request.GET.get("role", "")
        ctx["role_choices"] = grants.role_choices(assignable_only=False)
        ctx["can_create"] = self.scope.can("accounts.manage_users")
        ctx["can_manage_locks"] = self.scope.can("accounts.manage_locks")
        now = timezone.now()
        ctx["locked"] = set(AccountLock.objects.filter(locked_until__gt=now)
                            .values_list("username", flat=True))
        return ctx


class UserDetailView(PermissionRequiredMixin, ScopedDetailView):
    """One account: its roles, state and the buttons its viewer's permissions allow."""

    permission = "accounts.view_users"
    model = User
    template_name = "accounts/user_detail.html"
    context_object_name = "person"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        person = self.object
        scope = self.scope
        ctx["assignments"] = person.assignments.select_related("area")
        ctx["locked_until"] = lockout.locked_until(person.username)
        ctx["can_manage_users"] = scope.can("accounts.manage_users")
        ctx["can_assign_roles"] = scope.can("accounts.assign_roles")
        ctx["can_manage_locks"] = scope.can("accounts.manage_locks")
        ctx["can_reset_totp"] = scope.can("accounts.reset_second_factor")
        ctx["is_self"] = person.pk == self.request.user.pk
        ctx["assign_form"] = AssignRoleForm()
        # The number itself for the person themself; the mask for everyone else, and a
        # reveal (reason, audited) for the security administrator (accounts.reveal_phone).
        ctx["phone_shown"] = person.phone if ctx["is_self"] else person.phone_masked
        ctx["can_reveal_phone"] = (not ctx["is_self"] and bool(person.phone_masked)
                                   and scope.can("accounts.reveal_phone"))
        ctx["has_actions"] = not ctx["is_self"] and (
            (ctx["can_manage_locks"] and ctx["locked_until"])
            or (ctx["can_reset_totp"] and person.totp_secret_enc)
            or (ctx["can_manage_users"] and person.is_active)
        )
        return ctx


class UserRevealPhoneView(PermissionRequiredMixin, View):
    """POST: a person's full mobile number, shown once with a reason (the security
    administrator, e.g. to call someone locked out); audited by ``personal_data.reveal``,
    never cached."""

    http_method_names = ["post"]
    permission = "accounts.reveal_phone"

    def post(self, request, pk):
        person = get_object_or_404(User.objects.restrict(request.user), pk=pk)
        try:
            value = personal_data.reveal(person, "phone", actor=request.user,
                                         reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("accounts:user_detail", pk=pk)
        response = render(request, "accounts/reveal_phone.html",
                          {"person": person, "value": value})
        response["Cache-Control"] = "no-store"
        return response


@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class UserCreateView(PermissionRequiredMixin, FormView):
    permission = "accounts.manage_users"
    form_class = UserCreateForm
    template_name = "accounts/user_form.html"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = actions.create_user(
                username=data["username"], real_name=data["real_name"],
                password=data["password1"], phone=data["phone"],
                department=data["department"], actor=self.request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = "password1" if field == "password" else field
                form.add_error(target if target in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("已创建用户 %(u)s;角色由安全管理员分配。") % {
            "u": user.username})
        return redirect("accounts:user_detail", pk=user.pk)


class UserDeactivateView(UserActionView):
    permission = "accounts.manage_users"

    def run(self, request, pk):
        person = self.get_object()
        actions.deactivate_user(person, actor=request.user)
        return _("已停用账号 %(u)s。") % {"u": person.username}


class AssignRoleView(UserActionView):
    permission = "accounts.assign_roles"

    def run(self, request, pk):
        person = self.get_object()
        form = AssignRoleForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        actions.assign_role(person, form.cleaned_data["role"], form.cleaned_data["area"],
                            actor=request.user)
        return _("已分配角色。")


class RevokeRoleView(UserActionView):
    permission = "accounts.assign_roles"

    def run(self, request, pk):
        assignment = get_object_or_404(
            Assignment.objects.filter(user__in=User.objects.restrict(request.user, CHANGE)),
            pk=pk,
        )
        self.user_pk = assignment.user_id
        actions.revoke_role(assignment, actor=request.user)
        return _("已撤销角色。")

    def back_url(self, request, pk):
        user_pk = getattr(self, "user_pk", None)
        if user_pk is None:
            return reverse("accounts:users")
        return reverse("accounts:user_detail", args=[user_pk])


class ResetTotpView(UserActionView):
    permission = "accounts.reset_second_factor"

    def run(self, request, pk):
        person = self.get_object()
        actions.reset_totp(person, actor=request.user)
        return _("已重置 %(u)s 的动态口令,其下次登录时须重新绑定。") % {"u": person.username}


class LockListView(PermissionRequiredMixin, View):
    """Names locked out now, for the security administrator."""

    permission = "accounts.manage_locks"

    def get(self, request):
        locks = AccountLock.objects.filter(locked_until__gt=timezone.now()).order_by(
            "locked_until")
        return render(request, "accounts/lock_list.html",
                      {"locks": locks, "form": UnlockForm()})


class UnlockView(ActionView):
    permission = "accounts.manage_locks"

    def run(self, request):
        form = UnlockForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        actions.unlock_account(form.cleaned_data["username"], actor=request.user)
        return _("已解锁账号 %(u)s。") % {"u": form.cleaned_data["username"]}

    def back_url(self, request):
        return safe_next(request, reverse("accounts:locks"))
