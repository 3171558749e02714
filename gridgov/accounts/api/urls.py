from rest_framework.routers import SimpleRouter

from .views import ApiKeyViewSet, DepartmentViewSet, MeViewSet

router = SimpleRouter(trailing_slash=True)
router.register("me", MeViewSet, basename="me")
router.register("departments", DepartmentViewSet, basename="department")
router.register("api-keys", ApiKeyViewSet, basename="api-key")

urlpatterns = router.urls
