"""Sign-in pages and the administrators' account pages.

Reads go through ``restrict()``; every change calls an action in ``accounts.actions``. Each
administration page is open only to the role whose duty it is (等保 "三员"): the system
administrator manages people, departments and API keys, the security administrator roles,
lock-outs and second factors; department administrators manage their own department's keys.
"""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from gridgov.core.querysets import CHANGE
from gridgov.core.views import ScopedDetailView, ScopedListView

from . import actions, lockout, totp
from .choices import DepartmentKind, Role
from .forms import (
    ApiKeyForm,
    AssignRoleForm,
    DepartmentCreateForm,
    LoginForm,
    OwnPasswordForm,
    TotpForm,
    UnlockForm,
    UserCreateForm,
    locked_message,
)
from .middleware import SESSION_FLAG, needs_second_factor
from .models import AccountLock, ApiKey, Assignment, Department, User
from gridgov.core.access import get_scope


def error_text(exc) -> str:
    """One line for a message banner from a ValidationError or PermissionDenied."""
    if isinstance(exc, ValidationError):
        return ";".join(str(m) for m in exc.messages)
    return str(exc) or _("您无权执行此操作。")


def safe_next(request, default=None) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


class RoleRequiredMixin(LoginRequiredMixin):
    """Open the page only to principals holding one of ``roles`` (403 for anyone else)."""

    roles: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        scope = get_scope(request.user)
        if scope is None or not scope.has_role(*self.roles):
            raise PermissionDenied(_("您的角色无权访问此页面。"))
        self.scope = scope
        return super().dispatch(request, *args, **kwargs)


class PostActionView(RoleRequiredMixin, View):
    """A button that calls one action and returns to a page with a message."""

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def run(self, request, *args, **kwargs) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            text = self.run(request, *args, **kwargs)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, text)
        return redirect(self.back_url(request, *args, **kwargs))

    def back_url(self, request, *args, **kwargs) -> str:
        return safe_next(request, reverse("accounts:users"))


# --- signing in -----------------------------------------------------------------------------


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Sign in with user name and password; administrators go on to the TOTP step."""

    form_class = LoginForm
    template_name = "accounts/login.html"

    def form_valid(self, form):
        from django.contrib.auth import login as auth_login

        user = form.get_user()
        auth_login(self.request, user)
        # A new sign-in always starts without the second factor passed.
        self.request.session.pop(SESSION_FLAG, None)
        url = self.get_success_url()
        if needs_second_factor(user):
            url = reverse("accounts:totp") + "?next=" + quote(url)
        return redirect(url)


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, so a link on another site cannot sign anyone out)."""

    http_method_names = ["post", "options"]


@method_decorator(never_cache, name="dispatch")
class TotpView(LoginRequiredMixin, FormView):
    """The administrators' second factor: enrol (secret and otpauth URI shown until the first
    right code) and verify a code for this session."""

    form_class = TotpForm
    template_name = "accounts/totp.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not needs_second_factor(request.user):
            messages.info(request, _("您的角色无需动态口令验证。"))
            return redirect(safe_next(request))
        until = lockout.locked_until(request.user.get_username())
        if until is not None:
            return self.locked_out(request, until)
        if request.session.get(SESSION_FLAG):
            return redirect(safe_next(request))
        return super().dispatch(request, *args, **kwargs)

    def locked_out(self, request, until):
        auth_logout(request)
        messages.error(request, locked_message(until))
        return redirect("accounts:login")

    def get(self, request, *args, **kwargs):
        user = request.user
        if not user.totp_secret:
            actions.enroll_totp(user, actor=user)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["next"] = safe_next(self.request)
        ctx["enrolling"] = bool(user.totp_secret) and not user.totp_confirmed
        if ctx["enrolling"]:
            ctx["secret"] = user.totp_secret
            ctx["otpauth_uri"] = totp.provisioning_uri(user.get_username(), user.totp_secret)
        return ctx

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        add_never_cache_headers(response)
        return response

    def form_valid(self, form):
        user = self.request.user
        if not user.totp_secret:
            actions.enroll_totp(user, actor=user)
            form.add_error("code", _("请先在验证器中添加密钥,再输入动态口令。"))
            return self.form_invalid(form)
        if actions.confirm_totp(user, form.cleaned_data["code"], actor=user):
            self.request.session.cycle_key()
            self.request.session[SESSION_FLAG] = True
            return redirect(safe_next(self.request))
        until = lockout.locked_until(user.get_username())
        if until is not None:
            return self.locked_out(self.request, until)
        form.add_error("code", _("动态口令不正确,请核对验证器上的当前口令。"))
        return self.form_invalid(form)


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PasswordChangeView(LoginRequiredMixin, FormView):
    """Change one's own password under the password policy."""

    form_class = OwnPasswordForm
    template_name = "accounts/password.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        user = self.request.user
        try:
            actions.set_password(user, form.cleaned_data["new_password1"], actor=user)
        except ValidationError as exc:
            form.add_error("new_password1", error_text(exc))
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("密码已修改。"))
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))


# --- users and roles ------------------------------------------------------------------------


class UserListView(RoleRequiredMixin, ScopedListView):
    """Accounts, for the system administrator (accounts) and security administrator (roles)."""

    model = User
    roles = (Role.SYS_ADMIN, Role.SEC_ADMIN)
    template_name = "accounts/user_list.html"
    context_object_name = "users"

    def get_queryset(self):
        qs = super().get_queryset().select_related("department").prefetch_related(
            "assignments__area")
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(username__icontains=q) | Q(real_name__icontains=q))
        role = self.request.GET.get("role", "")
        if role in Role.values:
            qs = qs.filter(assignments__role=role).distinct()
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["q"] = self.request.GET.get("q", "")
        ctx["role"] = self.request.GET.get("role", "")
        ctx["role_choices"] = Role.choices
        ctx["can_create"] = self.scope.has_role(Role.SYS_ADMIN)
        now = timezone.now()
        ctx["locked"] = set(AccountLock.objects.filter(locked_until__gt=now)
                            .values_list("username", flat=True))
        return ctx


class UserDetailView(RoleRequiredMixin, ScopedDetailView):
    model = User
    roles = (Role.SYS_ADMIN, Role.SEC_ADMIN)
    template_name = "accounts/user_detail.html"
    context_object_name = "person"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        person = self.object
        ctx["assignments"] = person.assignments.select_related("area")
        ctx["locked_until"] = lockout.locked_until(person.username)
        ctx["is_sys_admin"] = self.scope.has_role(Role.SYS_ADMIN)
        ctx["is_sec_admin"] = self.scope.has_role(Role.SEC_ADMIN)
        ctx["is_self"] = person.pk == self.request.user.pk
        ctx["assign_form"] = AssignRoleForm()
        ctx["phone_masked"] = actions.mask_phone(person.phone)
        ctx["has_actions"] = not ctx["is_self"] and (
            (ctx["is_sec_admin"] and (ctx["locked_until"] or person.totp_secret))
            or (ctx["is_sys_admin"] and person.is_active)
        )
        return ctx


@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class UserCreateView(RoleRequiredMixin, FormView):
    roles = (Role.SYS_ADMIN,)
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


class UserDeactivateView(PostActionView):
    roles = (Role.SYS_ADMIN,)

    def run(self, request, pk):
        person = get_object_or_404(User.objects.restrict(request.user, CHANGE), pk=pk)
        actions.deactivate_user(person, actor=request.user)
        return _("已停用账号 %(u)s。") % {"u": person.username}

    def back_url(self, request, pk):
        return reverse("accounts:user_detail", args=[pk])


class AssignRoleView(PostActionView):
    roles = (Role.SEC_ADMIN,)

    def run(self, request, pk):
        person = get_object_or_404(User.objects.restrict(request.user, CHANGE), pk=pk)
        form = AssignRoleForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        actions.assign_role(person, form.cleaned_data["role"], form.cleaned_data["area"],
                            actor=request.user)
        return _("已分配角色。")

    def back_url(self, request, pk):
        return reverse("accounts:user_detail", args=[pk])


class RevokeRoleView(PostActionView):
    roles = (Role.SEC_ADMIN,)

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


class ResetTotpView(PostActionView):
    roles = (Role.SEC_ADMIN,)

    def run(self, request, pk):
        person = get_object_or_404(User.objects.restrict(request.user, CHANGE), pk=pk)
        actions.reset_totp(person, actor=request.user)
        return _("已重置 %(u)s 的动态口令,其下次登录时须重新绑定。") % {"u": person.username}

    def back_url(self, request, pk):
        return reverse("accounts:user_detail", args=[pk])


class LockListView(RoleRequiredMixin, View):
    """Names locked out now, for the security administrator."""

    roles = (Role.SEC_ADMIN,)

    def get(self, request):
        locks = AccountLock.objects.filter(locked_until__gt=timezone.now()).order_by(
            "locked_until")
        return render(request, "accounts/lock_list.html",
                      {"locks": locks, "form": UnlockForm()})


class UnlockView(PostActionView):
    roles = (Role.SEC_ADMIN,)

    def run(self, request):
        form = UnlockForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        actions.unlock_account(form.cleaned_data["username"], actor=request.user)
        return _("已解锁账号 %(u)s。") % {"u": form.cleaned_data["username"]}

    def back_url(self, request):
        return safe_next(request, reverse("accounts:locks"))


# --- departments ----------------------------------------------------------------------------


class DepartmentListView(RoleRequiredMixin, ScopedListView):
    model = Department
    roles = (Role.SYS_ADMIN,)
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


class DepartmentCreateView(RoleRequiredMixin, FormView):
    roles = (Role.SYS_ADMIN,)
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


class ApiKeyListView(RoleRequiredMixin, ScopedListView):
    model = ApiKey
    roles = (Role.SYS_ADMIN, Role.DEPT_ADMIN)
    template_name = "accounts/apikey_list.html"
    context_object_name = "keys"

    def get_queryset(self):
        return super().get_queryset().select_related("department", "created_by")


def key_departments(user):
    """The departments whose keys a principal may issue."""
    scope = get_scope(user)
    qs = Department.objects.filter(is_active=True)
    if scope.has_role(Role.SYS_ADMIN):
        return qs
    return qs.filter(pk=scope.department_id) if scope.department_id else qs.none()


@method_decorator(never_cache, name="dispatch")
class ApiKeyIssueView(RoleRequiredMixin, FormView):
    """Issue a key. The raw key is in this one response and nowhere else."""

    roles = (Role.SYS_ADMIN, Role.DEPT_ADMIN)
    form_class = ApiKeyForm
    template_name = "accounts/apikey_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["departments"] = key_departments(self.request.user)
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        if self.scope.department_id and not self.scope.has_role(Role.SYS_ADMIN):
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


class ApiKeyRevokeView(PostActionView):
    roles = (Role.SYS_ADMIN, Role.DEPT_ADMIN)

    def run(self, request, pk):
        key = get_object_or_404(ApiKey.objects.restrict(request.user, CHANGE), pk=pk)
        actions.revoke_api_key(key, actor=request.user)
        return _("已吊销密钥 %(p)s…。") % {"p": key.prefix}

    def back_url(self, request, pk):
        return reverse("accounts:api_keys")
