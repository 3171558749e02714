"""The area picker's tree: one level at a time or by name, only the areas the person sees."""

import pytest

from gridgov.areas.views_tree import area_options

pytestmark = pytest.mark.django_db
TREE = "/areas/tree.json"


def codes(response) -> list[str]:
    assert response.status_code == 200
    return [n["code"] for n in response.json()["results"]]


def test_the_tree_starts_at_the_top_of_the_persons_scope(client_as, dispatcher, district,
                                                          gulou_street, gulou_community,
                                                          gulou_grid):
    client = client_as(dispatcher)
    top = codes(client.get(TREE))
    assert top == [district.code]  # the district above the street, as context
    assert gulou_street.code in codes(client.get(TREE, {"parent": district.code}))
    assert gulou_community.code in codes(client.get(TREE, {"parent": gulou_street.code}))
    grids = client.get(TREE, {"parent": gulou_community.code}).json()["results"]
    assert gulou_grid.code in [g["code"] for g in grids] and all(g["leaf"] for g in grids)


def test_a_grid_worker_reaches_only_their_grid(client_as, grid_worker, gulou_grid,
                                               gulou_grid2, gulou_community, other_street):
    client = client_as(grid_worker)
    assert codes(client.get(TREE, {"parent": gulou_community.code})) == [gulou_grid.code]
    assert codes(client.get(TREE, {"parent": other_street.code})) == []
    assert gulou_grid2.code not in codes(client.get(TREE, {"q": gulou_grid2.name}))


def test_search_by_name_gives_the_path(client_as, dispatcher, gulou_community, gulou_street,
                                       other_street):
    found = client_as(dispatcher).get(TREE, {"q": gulou_community.name}).json()["results"]
    hit = next(n for n in found if n["code"] == gulou_community.code)
    assert gulou_street.name in hit["path"]
    assert other_street.code not in codes(client_as(dispatcher).get(TREE,
                                                                     {"q": other_street.name}))


def test_bad_parent_and_anonymous(client, client_as, dispatcher):
    bad = client_as(dispatcher).get(TREE, {"parent": "abc"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "parent"
    assert client.get(TREE).status_code == 302


def test_select_options_leave_grids_out_only_when_many(dispatcher, district_leader, gulou_grid):
    mine = dict(area_options(dispatcher))
    assert gulou_grid.code in mine
    assert mine[gulou_grid.code].startswith("\u3000")  # indented under its community
    wide = dict(area_options(district_leader))
    assert all(len(code) < 15 for code in wide) or len(wide) <= 400
