"""Every indicator and the weighted score on the hand-computed fixture (support.BIG)."""

import pytest

from gridgov.assess import compute
from gridgov.assess import indicators as ind
from gridgov.assess.actions import default_scheme

from .support import BIG, GRID2, GULOU, MARCH

pytestmark = pytest.mark.django_db


def _jinniu():
    return compute.scheme_items(default_scheme())


def test_every_count_time_and_rate_of_the_department(big, django_assert_max_num_queries):
    source = compute.LiveSource(None, MARCH)
    with django_assert_max_num_queries(2):
        results = compute.grouped(source, "department")
    result = results[str(big["department"].pk)]
    for code in ind.COUNT_CODES:
        assert result.counts[code] == getattr(BIG, code), code
    assert result.rates() == BIG.rates
    assert result.mean_hours("accept_hours") == BIG.accept_hours
    assert result.mean_hours("handle_hours") == BIG.handle_hours
    # the known check of REFERENCE §7
    assert ind.percent(result.rate("closed_on_time_rate")) == 75.82
    assert ind.percent(result.rate("closed_rate")) == 93.72


def test_jinniu_score(big):
    ranked = compute.ranking(compute.LiveSource(None, MARCH), "department", _jinniu())
    result = next(r for r in ranked if r.key == str(big["department"].pk))
    assert result.score == BIG.score
    assert [p["points"] for p in result.parts] == [
        round(30 * 911 / 972, 4), round(20 * 737 / 972, 4), round(20 * 953 / 972, 4),
        round(20 * 952 / 972, 4), round(10 * 947 / 972, 4)]


def test_areas_and_the_grid_worker(small):
    source = compute.LiveSource(None, MARCH)
    streets = compute.grouped(source, "street")
    gulou = streets[GULOU]
    # BIG (982) + the worker's 4 in 鼓楼; 南门 separately with its 5
    assert gulou.counts["reported"] == 986
    assert gulou.counts["self_resolved"] == 2
    assert gulou.counts["due"] == 972 + 3
    assert gulou.counts["closed"] == 911 + 2
    assert gulou.counts["dispatched"] == 973
    assert streets["330203001"].counts["reported"] == 5
    assert streets["330203001"].rates()["closed_on_time_rate"] == 100.0
    grids = compute.grouped(source, "grid")
    assert grids[GRID2].counts["reported"] == 4
    assert grids[GRID2].counts["closed"] == 2
    assert grids[GRID2].rates()["closed_rate"] == round(2 * 100 / 3, 2)
    communities = compute.grouped(source, "community")
    assert communities["330203005001"].counts["reported"] == 986
    ranked = compute.ranking(source, "worker", _jinniu())
    worker = next(r for r in ranked if r.key == str(small["worker"].pk))
    assert worker.counts["reported"] == 4
    assert worker.counts["self_resolved"] == 2
    assert worker.workload == {"verifications": 1, "collected": 0,
                                        "patrol_hours": 0.0, "patrol_km": 0.0}
    # one dispatched case, still within its deadline: 处置率 0, 按期处置率 0, the rest 1 − 0
    assert worker.score == 50.0
