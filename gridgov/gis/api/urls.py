"""The layers API under /api/v1/gis/."""

from rest_framework.routers import SimpleRouter

from .views import LayerViewSet

router = SimpleRouter()
router.register("layers", LayerViewSet, basename="gis-layer")

urlpatterns = router.urls
