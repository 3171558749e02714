"""restrict_q of the rule models, role by role."""

import pytest

from gridgov.rules.models import Firing, Rule

from .support import mine, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def firings(recorder, gulou_grid, gulou_grid2, other_street):
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))

    def make(code, n):
        return Firing.objects.create(rule=r, subject_type="person", subject_id=n,
                                     period_key="once", area_code=code)
    return {"grid": make(gulou_grid.code, "1"), "grid2": make(gulou_grid2.code, "2"),
            "other": make(other_street.code + "001001", "3")}


def test_grid_chief_sees_the_firings_of_the_community(grid_chief, firings):
    seen = set(Firing.objects.restrict(grid_chief, "view").values_list("pk", flat=True))
    assert {firings["grid"].pk, firings["grid2"].pk} <= seen
    assert firings["other"].pk not in seen
    assert not Firing.objects.restrict(grid_chief, "change").exists()


def test_leader_of_the_street_and_the_administrator(leader, sys_admin, firings):
    assert firings["other"].pk not in set(
        Firing.objects.restrict(leader, "view").values_list("pk", flat=True))
    assert firings["other"].pk in set(
        Firing.objects.restrict(sys_admin, "view").values_list("pk", flat=True))


def test_grid_worker_and_command_room_see_no_firing(grid_worker, dispatcher, firings):
    assert not Firing.objects.restrict(grid_worker, "view").exists()
    assert not Firing.objects.restrict(dispatcher, "view").exists()


def test_rules_read_by_viewers_changed_by_the_administrator(leader, sys_admin, grid_worker,
                                                            recorder):
    r = rule(*mine({"fact": "sex", "op": "=", "value": "M"}))
    assert Rule.objects.restrict(leader, "view").filter(pk=r.pk).exists()
    assert not Rule.objects.restrict(leader, "change").exists()
    assert Rule.objects.restrict(sys_admin, "change").filter(pk=r.pk).exists()
    assert not Rule.objects.restrict(grid_worker, "view").exists()
