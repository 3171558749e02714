"""The demo patrols: weeks of workday patrols, walked at a walking pace, loaded once."""

import pytest

from gridgov.demo import patrols as demo
from gridgov.patrols.choices import PatrolState
from gridgov.patrols.models import Patrol

pytestmark = pytest.mark.django_db


def test_demo_patrols_load_once(grid_worker):
    counts = demo.load()
    assert counts["patrols"] >= 3 * 10
    patrols = list(Patrol.objects.filter(worker=grid_worker))
    assert len(patrols) >= 10
    for p in patrols:
        assert p.state == PatrolState.ENDED and p.area_code == "330203005001001"
        speed = p.distance_m / p.duration_s
        assert 0.8 < speed < 1.5, speed
        assert p.point_count > 50
    assert demo.load() == {"patrols": 0}
