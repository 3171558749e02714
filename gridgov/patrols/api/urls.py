"""The patrols API under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import PatrolViewSet

router = SimpleRouter(trailing_slash=True)
router.register("patrols", PatrolViewSet, basename="patrols-patrol")

urlpatterns = router.urls
