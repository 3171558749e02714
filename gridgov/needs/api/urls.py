"""The needs API under /api/v1/needs/: categories, counts."""

from rest_framework.routers import SimpleRouter

from .views import NeedCategoryViewSet, NeedCountViewSet

router = SimpleRouter()
router.register("categories", NeedCategoryViewSet, basename="need-category")
router.register("counts", NeedCountViewSet, basename="need-count")

urlpatterns = router.urls
