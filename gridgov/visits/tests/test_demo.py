"""The demo's visits: months of history by the grid workers, some people overdue."""

import time

import pytest
from django.utils import timezone

from gridgov.demo import visits as demo_visits
from gridgov.visits.models import Visit, VisitSchedule

pytestmark = pytest.mark.django_db


def test_demo_visits(grid_worker, client_as):
    started = time.perf_counter()
    demo_visits.load()
    elapsed = time.perf_counter() - started
    visits = Visit.objects.all()
    assert visits.count() > 50
    assert visits.filter(visitor=grid_worker).exists()
    assert visits.order_by("visited_at").first().visited_at < timezone.now() - timezone.timedelta(
        days=60)
    open_rows = VisitSchedule.objects.filter(governing=True, closed_at__isnull=True)
    assert open_rows.filter(next_due__lt=timezone.localdate()).exists()
    assert open_rows.filter(next_due__gte=timezone.localdate()).exists()
    assert demo_visits.load() == {"visits": 0}  # idempotent
    page = client_as(grid_worker).get("/m/visits/")
    assert page.status_code == 200 and "逾期" in page.content.decode()
    print(f"demo visits: {visits.count()} in {elapsed:.1f} s")
