"""The 三会一课 API under /api/v1/: party/meetings (and party/meetings/overdue/)."""

from rest_framework.routers import SimpleRouter

from .views import MeetingViewSet

router = SimpleRouter()
router.register("party/meetings", MeetingViewSet, basename="party-meeting")

urlpatterns = router.urls
