from django.urls import path, re_path

from . import views

app_name = "open311"

FMT = r"(?P<fmt>json|xml)"

urlpatterns = [
    path("v2/", views.discovery, {"fmt": "xml"}, name="root"),
    re_path(rf"^v2/discovery\.{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^v2/services\.{FMT}$", views.services, name="services"),
    re_path(rf"^v2/services/(?P<code>[^/]+)\.{FMT}$", views.service_definition,
            name="service"),
    re_path(rf"^v2/requests\.{FMT}$", views.requests_view, name="requests"),
    re_path(rf"^v2/requests/(?P<request_id>[^/]+)\.{FMT}$", views.request_detail,
            name="request"),
    re_path(rf"^v2/requests/(?P<request_id>[^/]+)/notes\.{FMT}$", views.request_notes,
            name="notes"),
    re_path(r"^v2/media/(?P<pk>\d{1,12})$", views.media, name="media"),
    re_path(rf"^v2/tokens/(?P<token>[^/]+)\.{FMT}$", views.token_detail, name="token"),
    re_path(rf"^v2/(?P<rest>.*)\.{FMT}$", views.not_found),
    re_path(r"^v2/(?P<rest>.*)$", views.not_found),
]
