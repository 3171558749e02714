"""The assessment API: mounted at /assess/api/ by ``gridgov.assess.urls`` (and, for the
OpenAPI schema, at /api/v1/assess/ once the root API patterns include this module)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AppealViewSet, RankingAPIView, SnapshotViewSet

router = SimpleRouter()
router.register("snapshots", SnapshotViewSet, basename="api-snapshot")
router.register("appeals", AppealViewSet, basename="api-appeal")

urlpatterns = [path("ranking/", RankingAPIView.as_view(), name="api_ranking"), *router.urls]
