"""Administrators (the three 等保 roles) must pass a TOTP second factor before anything else."""

from urllib.parse import quote

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

SESSION_FLAG = "gridgov_otp_verified"
# Only the sign-in steps themselves are open before the second factor; every other page,
# the account pages included, waits behind it.
OPEN_PREFIXES = (
    "/static/", "/i18n/", "/favicon", "/accounts/login/", "/accounts/logout/", "/accounts/totp/",
)


def needs_second_factor(user) -> bool:
    from gridgov.core.access import get_scope

    scope = get_scope(user)
    return bool(scope and scope.is_admin)


class SecondFactorMiddleware:
    """Hold a signed-in administrator at the TOTP step until it is passed this session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(SESSION_FLAG)
            and not request.path.startswith(OPEN_PREFIXES)
            and needs_second_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"errors": [{"field": None, "code": "second_factor_required",
                                 "message": _("管理员须先通过动态口令验证。")}]},
                    status=403,
                )
            return redirect(reverse("accounts:totp") + "?next=" + quote(request.get_full_path()))
        return self.get_response(request)
