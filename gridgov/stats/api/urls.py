"""The statistics' REST API under ``/api/v1/`` (mounted by the root URLconf)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .keywords import KeywordViewSet
from .screen import ScreenDataView

router = SimpleRouter()
router.register("stats/keywords", KeywordViewSet, basename="stats-keywords")

urlpatterns = [
    path("stats/screen/", ScreenDataView.as_view(), name="stats-screen"),
    *router.urls,
]
