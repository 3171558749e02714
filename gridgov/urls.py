"""Root URL configuration. Each app owns its ``urls.py`` (pages) and ``api/urls.py`` (API).

The REST API lives at ``/api/v1/``; ``/api/`` serves the same views as a deprecated alias,
under its own URL namespace so route names reverse to ``/api/v1/`` (gridgov.core.versioning,
docs/api.md). CKAN's Action API keeps its own ``/api/3`` and ``/api/action/`` paths, matched
first.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from gridgov.core.versioning import ALIAS_NAMESPACE

api_patterns = [
    path("", include("gridgov.accounts.api.urls")),
    path("", include("gridgov.areas.api.urls")),
    path("", include("gridgov.audit.api.urls")),
    path("", include("gridgov.notifications.api.urls")),
    path("", include("gridgov.events.api.urls")),
    path("", include("gridgov.basedata.api.urls")),
    path("", include("gridgov.sharing.api.urls")),
    path("assess/", include("gridgov.assess.api.urls")),
    path("", include("gridgov.stats.api.urls")),
    path("", include("gridgov.tasks.api.urls")),
    path("", include("gridgov.patrols.api.urls")),
    path("", include("gridgov.visits.api.urls")),
    path("", include("gridgov.rules.api.urls")),
    path("proactive/", include("gridgov.proactive.api.urls")),
    path("needs/", include("gridgov.needs.api.urls")),
    path("", include("gridgov.party_meetings.api.urls")),
    path("party/", include("gridgov.party.api.urls")),
    path("party/", include("gridgov.partywork.api.urls")),
    path("gis/", include("gridgov.gis.api.urls")),
    path("video/", include("gridgov.video.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gridgov.accounts.urls")),
    path("areas/", include("gridgov.areas.urls")),
    path("audit/", include("gridgov.audit.urls")),
    path("background/", include("gridgov.background.urls")),
    path("notifications/", include("gridgov.notifications.urls")),
    path("moderation/", include("gridgov.moderation.urls")),
    path("events/", include("gridgov.events.urls")),
    path("stats/", include("gridgov.stats.urls")),
    path("assess/", include("gridgov.assess.urls")),
    path("tasks/", include("gridgov.tasks.urls")),
    path("patrols/", include("gridgov.patrols.urls")),
    path("visits/", include("gridgov.visits.urls")),
    path("rules/", include("gridgov.rules.urls")),
    path("proactive/", include("gridgov.proactive.urls")),
    path("needs/", include("gridgov.needs.urls")),
    path("party/meetings/", include("gridgov.party_meetings.urls")),
    path("party/work/", include("gridgov.partywork.urls")),
    path("party/", include("gridgov.party.urls")),
    path("m/", include("gridgov.field.urls")),
    path("open311/", include("gridgov.protocols.open311.urls")),
    path("ogcapi/", include("gridgov.protocols.ogcapi.urls")),
    path("gis/", include("gridgov.gis.urls")),
    path("basedata/", include("gridgov.basedata.urls")),
    path("sharing/", include("gridgov.sharing.urls")),
    path("video/", include("gridgov.video.urls")),
    # CKAN-compatible Action API: both of CKAN's own mount points, and its root (/api/3).
    path("api/3/action/", include("gridgov.protocols.ckan.urls")),
    path("api/action/", include("gridgov.protocols.ckan.urls")),
    path("", include("gridgov.protocols.ckan.root_urls")),
    # The REST API, version 1, and its unversioned alias (deprecated; not in the schema).
    path("api/v1/", include(api_patterns)),
    path("api/", include((api_patterns, "api"), namespace=ALIAS_NAMESPACE)),
    path("", include("gridgov.web.urls")),
]
