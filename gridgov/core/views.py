"""Base page views: the permission gate, reads through the scope chokepoint, and
``ActionView`` for buttons that call one action."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, View

from .access import get_scope
from .access.registry import check_declared
from .paging import CappedPaginator
from .querysets import CHANGE, VIEW


class PermissionRequiredMixin(LoginRequiredMixin):
    """Open the page only to principals holding ``permission`` (any of them, when a tuple).

    Anonymous visitors go to the sign-in page; a signed-in principal without the permission
    gets 403. The resolved scope is kept on ``self.scope`` for the view.
    """

    permission: str | tuple = ()

    def required_permissions(self) -> tuple:
        perms = self.permission
        return (perms,) if isinstance(perms, str) else tuple(perms)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        perms = self.required_permissions()
        for code in perms:
            check_declared(code)
        scope = get_scope(request.user)
        if scope is None or (perms and not scope.can(*perms)):
            raise PermissionDenied(_("您的角色无权访问此页面。"))
        self.scope = scope
        return super().dispatch(request, *args, **kwargs)


class ScopedQuerysetMixin(LoginRequiredMixin):
    """Pages list and show only what ``restrict(user, "view")`` keeps; the rest is 404."""

    model = None
    scope_action = VIEW

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, self.scope_action)


class ScopedListView(ScopedQuerysetMixin, ListView):
    """A scoped list, 50 rows a page, counted only up to the cap (``core.paging``): a
    district's million people are not counted on every page."""

    paginate_by = 50
    paginator_class = CappedPaginator


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    pass


class ActionView(PermissionRequiredMixin, View):
    """A page button: POST only; input, then the action, then back with a message.

    ``run(request, *args, **kwargs)`` calls one action and returns the success message; a
    ``ValidationError`` or ``PermissionDenied`` from it becomes an error message, and the
    person goes back to ``back_url()`` (a safe ``next`` or ``success_url``) either way. An
    object a subclass reads with ``get_object()`` comes through ``restrict(user, "change")``,
    so one outside scope answers 404.
    """

    model = None
    scope_action = CHANGE
    success_url = "/"

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def get_object(self, **lookup):
        queryset = self.model.objects.restrict(self.request.user, self.scope_action)
        return get_object_or_404(queryset, **(lookup or {"pk": self.kwargs["pk"]}))

    def run(self, request, *args, **kwargs) -> str:
        raise NotImplementedError("ActionView subclasses call one action in run()")

    def post(self, request, *args, **kwargs):
        try:
            text = self.run(request, *args, **kwargs)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            if text:
                messages.success(request, text)
        return redirect(self.back_url(request, *args, **kwargs))

    def back_url(self, request, *args, **kwargs) -> str:
        return safe_next(request, self.success_url)


def refuse_export(request):
    """``None`` while the principal is within the export limit (``GRIDGOV_RATE_EXPORT``, one
    count shared by every export page), else the 429 page saying when to try again; the
    refusal is audited (a loop of exports is what a leak looks like)."""
    from gridgov.audit.recorder import record

    from . import throttle

    decision = throttle.check_export(request)
    if decision.allowed:
        return None
    message = _("导出过于频繁(每小时最多 %(n)d 次),请 %(m)d 分钟后再试。") % {
        "n": decision.limit, "m": decision.retry_minutes}
    record("core.export_throttled", actor=request.user, object_type="core.export",
           object_id=request.path[:100], after={"count": decision.count,
                                                 "limit": decision.limit})
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


def error_text(exc) -> str:
    """One line for a message banner from a ValidationError or PermissionDenied."""
    if isinstance(exc, ValidationError):
        return ";".join(str(m) for m in exc.messages)
    return str(exc) or _("您无权执行此操作。")


def safe_next(request, default=None) -> str:
    """The ``next`` URL of the request when it is on this site, else ``default``."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)
