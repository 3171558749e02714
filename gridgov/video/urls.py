"""Pages of the video resource platform under /video/ (the live view and video patrol
pages join the namespace from ``live_urls``)."""

from django.urls import include, path

from . import views, views_admin

app_name = "video"

urlpatterns = [
    path("", views.CameraListView.as_view(), name="cameras"),
    path("cameras/new/", views.CameraCreateView.as_view(), name="camera-new"),
    path("cameras/<str:code>/", views.CameraDetailView.as_view(), name="camera"),
    path("cameras/<str:code>/edit/", views.CameraEditView.as_view(), name="camera-edit"),
    path("cameras/<str:code>/status/", views.CameraStatusView.as_view(), name="camera-status"),
    path("cameras/<str:code>/retire/", views.CameraRetireView.as_view(), name="camera-retire"),
    path("import/", views_admin.ImportView.as_view(), name="import"),
    path("import/template.xlsx", views_admin.ImportTemplateView.as_view(),
         name="import-template"),
    path("import/<int:pk>/rejected.csv", views_admin.ImportReportView.as_view(),
         name="import-report"),
    path("grants/", views_admin.GrantsView.as_view(), name="grants"),
    path("grants/<int:pk>/revoke/", views_admin.RevokeGrantView.as_view(), name="grant-revoke"),
    path("stats/", views_admin.StatsView.as_view(), name="stats"),
    path("views/", views_admin.ViewLogView.as_view(), name="views"),
    path("", include("gridgov.video.live_urls")),
]
