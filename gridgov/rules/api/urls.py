"""The rules API under /api/v1/: rules, rule-firings."""

from rest_framework.routers import SimpleRouter

from .views import FiringViewSet, RuleViewSet

router = SimpleRouter()
router.register("rules", RuleViewSet, basename="rule")
router.register("rule-firings", FiringViewSet, basename="rule-firing")

urlpatterns = router.urls
