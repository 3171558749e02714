"""The video platform's API under /api/v1/video/: the registry's (here) and the live
view's and video patrol's (``api/live.py``)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import CameraGrantViewSet, CameraViewSet

router = SimpleRouter()
router.register("cameras", CameraViewSet, basename="video-camera")
router.register("grants", CameraGrantViewSet, basename="video-grant")

urlpatterns = [
    *router.urls,
    path("", include("gridgov.video.api.live")),
]
