"""``require()``, ``can()``, the page gate ``PermissionRequiredMixin`` and the API gate
``RequirePermission``: one way of asking, and a typo in a permission code fails loudly."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import RequestFactory
from django.views.generic import View
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from gridgov.core.access import can, require
from gridgov.core.access.drf import PUBLIC, RequirePermission, permissions_for
from gridgov.core.views import PermissionRequiredMixin

pytestmark = pytest.mark.django_db


def test_require_lets_holders_through_and_returns_their_scope(sys_admin, grid_worker):
    scope = require(sys_admin, "accounts.manage_users")
    assert scope.user_id == sys_admin.pk and "sys_admin" in scope.roles
    # Any of several permissions is enough.
    assert require(grid_worker, "accounts.manage_users", "areas.view").user_id == grid_worker.pk
    with pytest.raises(PermissionDenied) as refused:
        require(grid_worker, "accounts.manage_users")
    assert "无权" in str(refused.value)
    with pytest.raises(PermissionDenied, match="只有系统管理员"):
        require(grid_worker, "areas.manage", message="只有系统管理员可以维护区域。")


def test_require_system_and_anonymous(db):
    assert require(None, "accounts.manage_users") is None
    with pytest.raises(PermissionDenied):
        require(None, "accounts.manage_users", allow_system=False)
    with pytest.raises(PermissionDenied):
        require(AnonymousUser(), "areas.view")


def test_can(sys_admin, sec_admin, grid_worker):
    assert can(sys_admin, "areas.manage") and not can(sec_admin, "areas.manage")
    assert can(sec_admin, "core.manage_roles") and not can(sys_admin, "core.manage_roles")
    assert can(grid_worker, "areas.manage", "areas.view")
    assert can(None, "areas.manage")
    assert not can(AnonymousUser(), "areas.view")


@pytest.mark.parametrize("call", [
    lambda user: require(user, "areas.manag"),
    lambda user: can(user, "accounts.view_user"),
    lambda user: require(None, "nonsense.perm"),
])
def test_an_undeclared_code_is_a_programming_error(sys_admin, call):
    with pytest.raises(ImproperlyConfigured, match="not declared"):
        call(sys_admin)


class _Page(PermissionRequiredMixin, View):
    permission = "accounts.manage_departments"

    def get(self, request):
        from django.http import HttpResponse

        return HttpResponse(",".join(sorted(self.scope.roles)))


class _AnyOf(_Page):
    permission = ("accounts.manage_departments", "audit.view_log")


class _Typo(_Page):
    permission = "accounts.manage_departmnts"


def _page(view, user):
    request = RequestFactory().get("/test/")
    request.user = user
    return view.as_view()(request)


def test_page_gate(sys_admin, audit_admin, grid_worker):
    assert _page(_Page, sys_admin).content.decode() == "sys_admin"
    with pytest.raises(PermissionDenied):
        _page(_Page, grid_worker)
    with pytest.raises(PermissionDenied):
        _page(_Page, audit_admin)
    assert _page(_AnyOf, audit_admin).status_code == 200
    # Anonymous visitors go to the sign-in page.
    response = _page(_Page, AnonymousUser())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    with pytest.raises(ImproperlyConfigured):
        _page(_Typo, sys_admin)


class _Api(APIView):
    required_permissions = {"get": "accounts.view_users", "post": "accounts.manage_users"}

    def get(self, request):
        from rest_framework.response import Response

        return Response({"ok": True})

    post = get


class _PublicApi(_Api):
    required_permissions = None
    required_permission = PUBLIC
    authentication_classes = []


class _TypoApi(_Api):
    required_permissions = None
    required_permission = "accounts.view_userz"


def _api(view, method, user=None):
    request = getattr(APIRequestFactory(), method)("/api/test/")
    if user is not None:
        force_authenticate(request, user=user)
    return view.as_view()(request)


def test_api_gate_per_method(sys_admin, sec_admin, grid_worker):
    assert _api(_Api, "get", sys_admin).status_code == 200
    assert _api(_Api, "post", sys_admin).status_code == 200
    assert _api(_Api, "get", sec_admin).status_code == 200
    assert _api(_Api, "post", sec_admin).status_code == 403
    assert _api(_Api, "get", grid_worker).status_code == 403
    assert _api(_Api, "get").status_code in (401, 403)
    assert _api(_PublicApi, "get").status_code == 200
    with pytest.raises(ImproperlyConfigured):
        _api(_TypoApi, "get", sys_admin)
    assert permissions_for(_Api(), "POST") == ("accounts.manage_users",)
    assert RequirePermission().has_permission(
        type("R", (), {"method": "GET", "user": AnonymousUser()})(), _PublicApi())
