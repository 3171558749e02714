"""Events API: intake (E2, registered first so /events/report/ wins) and workflow (E1)."""

from rest_framework.routers import SimpleRouter

from . import intake, workflow

router = SimpleRouter(trailing_slash=True)

intake.register(router)  # E2: report, hotline, duplicates
workflow.register(router)  # E1: scoped list/detail and the workflow actions

urlpatterns = router.urls
