from django.urls import path

from . import views, views_tree

app_name = "areas"

urlpatterns = [
    path("", views.AreaListView.as_view(), name="list"),
    # Before "<str:code>/": public, no sign-in (the intake forms' point picker).
    path("public/outlines.geojson", views.PublicOutlinesView.as_view(), name="public-outlines"),
    path("tree.json", views_tree.AreaTreeJSONView.as_view(), name="tree"),  # area picker
    path("<str:code>/", views.AreaDetailView.as_view(), name="detail"),
    path("<str:code>/edit/", views.AreaEditView.as_view(), name="edit"),
]
