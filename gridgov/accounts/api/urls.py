from rest_framework.routers import SimpleRouter

from . import devices
from .roles import PermissionViewSet, RoleViewSet
from .views import ApiKeyViewSet, DepartmentViewSet, MeViewSet

router = SimpleRouter(trailing_slash=True)
router.register("me", MeViewSet, basename="me")
router.register("departments", DepartmentViewSet, basename="department")
router.register("api-keys", ApiKeyViewSet, basename="api-key")
router.register("roles", RoleViewSet, basename="role")
router.register("permissions", PermissionViewSet, basename="permission")
devices.register(router)

urlpatterns = router.urls
