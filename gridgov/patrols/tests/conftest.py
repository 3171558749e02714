"""The patrol tests start from no patrol: the demo district's own (``gridgov.demo.patrols``,
weeks of them) are removed inside each test's transaction, so counts and totals are exact."""

import pytest


@pytest.fixture(autouse=True)
def _without_demo_patrols(request):
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("django_db_setup")
    request.getfixturevalue("db")
    from gridgov.patrols.models import Patrol

    Patrol.objects.all().delete()
