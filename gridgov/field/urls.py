"""The field terminal at /m/. Each screen module owns its ``urlpatterns``; URL names live
in the ``field`` namespace, prefixed by the screen (``report``, ``events-…``, ``collect-…``,
``tasks-…``, ``patrol-…``, ``visits-…``, ``proactive-…``, ``party-…``)."""

from django.urls import include, path

app_name = "field"
urlpatterns = [
    path("", include("gridgov.field.views.shell")),
    path("report/", include("gridgov.field.views.report")),
    path("events/", include("gridgov.field.views.events")),
    path("collect/", include("gridgov.field.views.collect")),
    path("tasks/", include("gridgov.tasks.field_urls")),
    path("patrol/", include("gridgov.patrols.field_urls")),
    path("visits/", include("gridgov.visits.field_urls")),
    path("proactive/", include("gridgov.proactive.field_urls")),
    path("party/", include("gridgov.partywork.field_urls")),
]
