from rest_framework.routers import SimpleRouter

from .views import (
    BuildingViewSet,
    ComponentViewSet,
    HouseViewSet,
    OrganisationViewSet,
    PersonViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("basedata/people", PersonViewSet, basename="basedata-person")
router.register("basedata/buildings", BuildingViewSet, basename="basedata-building")
router.register("basedata/houses", HouseViewSet, basename="basedata-house")
router.register("basedata/organisations", OrganisationViewSet, basename="basedata-organisation")
router.register("basedata/components", ComponentViewSet, basename="basedata-component")

urlpatterns = router.urls
