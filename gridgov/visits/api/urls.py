"""The visits API under /api/v1/: visits, visit-schedules, visit-plans."""

from rest_framework.routers import SimpleRouter

from .views import VisitPlanViewSet, VisitScheduleViewSet, VisitViewSet

router = SimpleRouter()
router.register("visits", VisitViewSet, basename="visit")
router.register("visit-schedules", VisitScheduleViewSet, basename="visit-schedule")
router.register("visit-plans", VisitPlanViewSet, basename="visit-plan")

urlpatterns = router.urls
