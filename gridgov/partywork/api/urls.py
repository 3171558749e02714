"""The partywork API under /api/v1/party/: contact-links, contact-logs, activities."""

from rest_framework.routers import SimpleRouter

from .views import ContactLinkViewSet, ContactLogViewSet, VolunteerActivityViewSet

router = SimpleRouter()
router.register("contact-links", ContactLinkViewSet, basename="party-contact-link")
router.register("contact-logs", ContactLogViewSet, basename="party-contact-log")
router.register("activities", VolunteerActivityViewSet, basename="party-activity")

urlpatterns = router.urls
