"""Field terminal: shell, sign-in, home, me, outbox, service worker and manifest."""

import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gridgov.accounts.middleware import needs_second_factor
from gridgov.accounts.views.signin import LoginView
from gridgov.core.access import can

from .. import assets, session, today
from ..auth import field_login_required

# The bottom tabs (key, label, where): the five screens are fixed by the terminal's contract.
TABS = (
    ("todo", "待办", "/m/"), ("report", "上报", "/m/report/"), ("verify", "核查", "/m/events/"),
    ("collect", "采集", "/m/collect/"), ("me", "我的", "/m/me/"),
)


class FieldLoginView(LoginView):
    """Sign in on the phone: the accounts app's own sign-in (address throttle, lock-out,
    the administrators' TOTP step), then the session is bound to a device row
    (``gridgov.field.session``) when the person uses the terminal."""

    template_name = "field/login.html"

    def get_default_redirect_url(self):
        return reverse("field:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if not needs_second_factor(user) and can(user, "field.use"):
            session.bind(self.request, user)
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["signed_out"] = self.request.GET.get("signed_out") == "1"
        return ctx


@require_POST
def logout_view(request):
    """Sign out (POST): revoke the device row, end the session, back to the sign-in page.
    The page's script has already warned about unsent items and cleared the device's copies."""
    if request.user.is_authenticated:
        session.end(request)
    return redirect(reverse("field:login") + "?signed_out=1")


def _greeting(now) -> str:
    hour = timezone.localtime(now).hour
    if hour < 11:
        return _("早上好")
    if hour < 13:
        return _("中午好")
    if hour < 18:
        return _("下午好")
    return _("晚上好")


def _assignments(user):
    from gridgov.accounts.models import Assignment

    return list(Assignment.objects.filter(user=user).select_related("area")
                .order_by("area__code", "role"))


def _grid_names(assignments) -> str:
    from gridgov.accounts.choices import GRID_ROLES

    names = [a.area.name for a in assignments if a.role in GRID_ROLES]
    return "、".join(dict.fromkeys(names))


@field_login_required
def home(request):
    """待办: today's work gathered from the apps' providers (``gridgov.field.today``)."""
    now = timezone.now()
    sections = today.sections(request)
    return render(request, "field/home.html", {
        "greeting": _greeting(now), "grid_names": _grid_names(_assignments(request.user)),
        "sections": sections, "total": sum(s.count for s in sections),
        "overdue": sum(s.overdue for s in sections),
    })


@field_login_required
def me(request):
    """我的: who, roles, grid, the other screens, this device, language and sign-out."""
    assignments = _assignments(request.user)
    return render(request, "field/me.html", {
        "assignments": assignments, "grid_names": _grid_names(assignments),
        "device": session.device_of(request),
        "links": [
            (_("巡查"), "/m/patrol/", _("开始、结束巡查,记录轨迹")),
            (_("走访"), "/m/visits/", _("关爱对象走访计划与记录")),
            (_("任务"), "/m/tasks/", _("指挥中心下达的核查、采集、走访任务")),
            (_("发件箱"), reverse("field:outbox"), _("离线保存、待发送的内容")),
        ],
    })


@field_login_required
def outbox(request):
    """发件箱: the device's queued writes (read from IndexedDB by outbox-page.js)."""
    return render(request, "field/outbox.html")


def offline(request):
    """What a page not yet on the device shows while offline (precached, nobody's data)."""
    return render(request, "field/offline.html")


@require_GET
def service_worker(request):
    """The service worker at /m/sw.js (so its scope is /m/), never cached by HTTP."""
    pages = [url for _key, _label, url in TABS] + [reverse("field:outbox"),
                                                     reverse("field:offline")]
    source = (assets.service_worker_source()
              .replace("__VERSION__", assets.version())
              .replace("__PRECACHE_STATIC__", json.dumps(assets.precached_static()))
              .replace("__PRECACHE_PAGES__", json.dumps(pages))
              .replace("__OFFLINE_URL__", json.dumps(reverse("field:offline")))
              .replace("__LOGIN_URL__", json.dumps(reverse("field:login"))))
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    """The web app manifest: installable, standalone, Chinese, scope /m/."""
    icons = [
        {"src": assets.url("field/icons/icon-192.png"), "sizes": "192x192",
         "type": "image/png", "purpose": "any"},
        {"src": assets.url("field/icons/icon-512.png"), "sizes": "512x512",
         "type": "image/png", "purpose": "any"},
        {"src": assets.url("field/icons/icon-maskable-512.png"), "sizes": "512x512",
         "type": "image/png", "purpose": "maskable"},
    ]
    body = {
        "name": _("网格通"), "short_name": _("网格通"), "lang": "zh-CN", "dir": "ltr",
        "description": _("网格员移动终端:待办、上报、核查、采集、巡查、走访"),
        "id": "/m/", "start_url": "/m/", "scope": "/m/", "display": "standalone",
        "orientation": "portrait", "theme_color": "#123b70", "background_color": "#ffffff",
        "icons": icons,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json; charset=utf-8"
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns = [
    path("", home, name="home"),
    path("login/", never_cache(FieldLoginView.as_view(
        redirect_authenticated_user=False)), name="login"),
    path("logout/", logout_view, name="logout"),
    path("me/", me, name="me"),
    path("outbox/", outbox, name="outbox"),
    path("offline/", offline, name="offline"),
    path("sw.js", service_worker, name="sw"),
    path("manifest.webmanifest", manifest, name="manifest"),
]
