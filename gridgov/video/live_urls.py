"""Live view and video patrol pages (no ``app_name``: H1's ``video/urls.py`` includes these
into the "video" namespace)."""

from django.urls import path

from .views_live import LiveView, ReportView, StreamView

urlpatterns = [
    path("cameras/<str:code>/live/", LiveView.as_view(), name="live"),
    path("cameras/<str:code>/report/", ReportView.as_view(), name="report"),
    path("stream/<str:token>/<path:name>", StreamView.as_view(), name="stream"),
]
