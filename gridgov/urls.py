"""Root URL configuration. Each app owns its ``urls.py`` (pages) and ``api/urls.py`` (API)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_patterns = [
    path("", include("gridgov.accounts.api.urls")),
    path("", include("gridgov.areas.api.urls")),
    path("", include("gridgov.audit.api.urls")),
    path("", include("gridgov.notifications.api.urls")),
    path("", include("gridgov.events.api.urls")),
    path("", include("gridgov.basedata.api.urls")),
    path("", include("gridgov.sharing.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gridgov.accounts.urls")),
    path("areas/", include("gridgov.areas.urls")),
    path("audit/", include("gridgov.audit.urls")),
    path("notifications/", include("gridgov.notifications.urls")),
    path("moderation/", include("gridgov.moderation.urls")),
    path("events/", include("gridgov.events.urls")),
    path("open311/", include("gridgov.protocols.open311.urls")),
    path("basedata/", include("gridgov.basedata.urls")),
    path("sharing/", include("gridgov.sharing.urls")),
    # CKAN-compatible Action API: both of CKAN's own mount points.
    path("api/3/action/", include("gridgov.protocols.ckan.urls")),
    path("api/action/", include("gridgov.protocols.ckan.urls")),
    path("api/", include(api_patterns)),
    path("", include("gridgov.web.urls")),
]
