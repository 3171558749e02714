"""Signing in and out, the administrators' second factor, and one's own password."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import ErrorDict
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from gridgov.core import throttle
from gridgov.core.views import error_text, safe_next

from .. import actions, lockout, totp
from ..forms import LoginForm, OwnPasswordForm, TotpForm, locked_message
from ..middleware import SESSION_FLAG, needs_second_factor


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Sign in with user name and password; administrators go on to the TOTP step.

    Each attempt is counted against its client address first (``lockout.count_attempt``):
    over ``GRIDGOV_RATE_SIGNIN_IP`` the page answers 429 without looking at the password."""

    form_class = LoginForm
    template_name = "accounts/login.html"

    def post(self, request, *args, **kwargs):
        self.client_address = throttle.client_address(request)
        decision = lockout.count_attempt(self.client_address)
        if not decision.allowed:
            return self.throttled(decision)
        return super().post(request, *args, **kwargs)

    def throttled(self, decision):
        form = self.get_form()
        # Shown as the form's error; the fields are not validated (no password is checked).
        form._errors = ErrorDict({NON_FIELD_ERRORS: form.error_class([_(
            "该地址登录失败次数过多,请 %(m)d 分钟后再试。如忘记密码,请联系系统管理员。")
            % {"m": decision.retry_minutes}])})
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(decision.retry_after)
        return response

    def form_valid(self, form):
        from django.contrib.auth import login as auth_login

        user = form.get_user()
        lockout.attempt_succeeded(self.client_address)
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
