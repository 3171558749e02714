"""The party API under /api/v1/party/: organisations, members, posts, transfers."""

from rest_framework.routers import SimpleRouter

from .views import MemberViewSet, OrganisationViewSet, PostViewSet, TransferViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="party-organisation")
router.register("members", MemberViewSet, basename="party-member")
router.register("posts", PostViewSet, basename="party-post")
router.register("transfers", TransferViewSet, basename="party-transfer")

urlpatterns = router.urls
