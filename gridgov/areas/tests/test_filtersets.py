"""AreaFilterSet: each filter on its own, and that filters only narrow a restricted queryset."""

import datetime as dt

import pytest

from gridgov.areas.filtersets import AreaFilterSet
from gridgov.areas.models import Area

pytestmark = pytest.mark.django_db


def filtered(data, queryset=None):
    fs = AreaFilterSet(data, queryset=queryset if queryset is not None else Area.objects.all())
    assert fs.is_valid(), fs.errors
    return fs.qs


def test_level_and_kind():
    streets = filtered({"level": "street"})
    assert streets.count() == 17
    towns = filtered({"level": "street", "kind": "town"})
    assert towns.count() == 7
    assert set(towns.values_list("kind", flat=True)) == {"town"}


def test_parent_lists_direct_children_only(gulou_street, gulou_community):
    children = filtered({"parent": gulou_street.code})
    assert gulou_community in children
    assert set(children.values_list("level", flat=True)) == {"community"}
    assert not children.filter(pk=gulou_street.pk).exists()


def test_within_is_the_area_and_everything_below(gulou_street, gulou_grid, other_street):
    inside = filtered({"within": gulou_street.code})
    assert gulou_street in inside and gulou_grid in inside
    assert not inside.filter(code__startswith=other_street.code).exists()
    assert inside.count() == Area.objects.filter(code__startswith=gulou_street.code).count()


def test_q_searches_name_and_code_prefix(gulou_street, gulou_community):
    assert gulou_street in filtered({"q": "鼓楼"})
    by_code = filtered({"q": gulou_community.code})
    assert by_code.count() >= 2  # the community and its grids
    assert all(a.code.startswith(gulou_community.code) for a in by_code)
    assert filtered({"q": "  "}).count() == Area.objects.count()


def test_generated(district, gulou_grid):
    # The district boundary is real (published data); the grids below are generated.
    assert not district.generated and gulou_grid.generated
    real = filtered({"generated": "false"})
    assert district in real and gulou_grid not in real
    assert not real.filter(generated=True).exists()
    made = filtered({"generated": "true"})
    assert gulou_grid in made and district not in made


def test_valid_on_hides_retired_areas(gulou_grid2):
    from gridgov.areas import actions

    actions.retire_area(gulou_grid2, valid_to=dt.date(2030, 1, 1), actor=None)
    assert gulou_grid2 in filtered({"valid_on": "2029-12-31"})
    assert gulou_grid2 not in filtered({"valid_on": "2030-01-01"})


@pytest.mark.parametrize("data,field", [
    ({"level": "planet"}, "level"),
    ({"within": "33a"}, "within"),
    ({"parent": "x"}, "parent"),
    ({"valid_on": "yesterday"}, "valid_on"),
])
def test_invalid_values_name_the_field(data, field):
    fs = AreaFilterSet(data, queryset=Area.objects.all())
    assert not fs.is_valid()
    assert field in fs.errors


def test_filters_never_widen_the_scope(grid_worker, gulou_grid, gulou_grid2, district):
    restricted = Area.objects.restrict(grid_worker)
    everything = filtered({"within": district.code}, restricted)
    assert gulou_grid in everything and gulou_grid2 not in everything
    assert list(filtered({"level": "grid"}, restricted)) == [gulou_grid]


def test_the_api_list_never_widens_the_scope(api_as, grid_worker, gulou_grid, other_street,
                                             district):
    api = api_as(grid_worker)
    rows = api.get("/api/areas/", {"within": district.code, "limit": 1000}).json()["results"]
    codes = {r["code"] for r in rows}
    assert gulou_grid.code in codes
    assert all(gulou_grid.code.startswith(code) for code in codes)  # the grid and above
    assert api.get("/api/areas/", {"within": other_street.code}).json()["results"] == []
