"""The proactive API under /api/v1/proactive/: tasks, benefits, consents."""

from rest_framework.routers import SimpleRouter

from .views import BenefitViewSet, ConsentViewSet, ServiceTaskViewSet

router = SimpleRouter()
router.register("tasks", ServiceTaskViewSet, basename="proactive-task")
router.register("benefits", BenefitViewSet, basename="proactive-benefit")
router.register("consents", ConsentViewSet, basename="proactive-consent")

urlpatterns = router.urls
