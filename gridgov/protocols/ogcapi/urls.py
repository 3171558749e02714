"""OGC API – Features, mounted at ``/ogcapi/`` (paths with or without a trailing slash, as
clients write them)."""

from django.urls import path, re_path

from . import views

app_name = "ogcapi"

ID = r"(?P<collection_id>[A-Za-z0-9_-]{1,60})"

urlpatterns = [
    path("", views.landing, name="landing"),
    re_path(r"^conformance/?$", views.conformance, name="conformance"),
    re_path(r"^api/?$", views.openapi, name="openapi"),
    re_path(r"^collections/?$", views.collections_view, name="collections"),
    re_path(rf"^collections/{ID}/?$", views.collection_view, name="collection"),
    re_path(rf"^collections/{ID}/items/?$", views.items, name="items"),
    re_path(rf"^collections/{ID}/items/(?P<feature_id>[^/]{{1,40}})/?$", views.item,
            name="item"),
]
