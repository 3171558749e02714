"""The role × scope matrix for people and houses: who sees a person of gw_gulou's grid, a
person of the sibling grid, and a house of the sibling grid; out of scope is 404."""

import pytest

from gridgov.basedata import actions

# role fixture -> (sees person in grid 1, sees person in grid 2, sees house in grid 2)
MATRIX = {
    "grid_worker": (True, False, False),
    "grid_worker2": (False, True, True),
    "rural_grid_worker": (False, False, False),
    "grid_chief": (True, True, True),
    "grid_instructor": (True, True, True),
    "intake_clerk": (False, False, True),
    "dispatcher": (False, False, True),
    "leader": (True, True, True),
    "district_leader": (True, True, True),
    "dept_handler": (False, False, True),
    "data_officer": (True, True, True),
    "sys_admin": (False, False, False),
    "sec_admin": (False, False, False),
    "audit_admin": (False, False, False),
}


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_scope_matrix(request, api_as, role, person, person2, gulou_grid2):
    user = request.getfixturevalue(role)
    house = actions.create_house(actor=None, grid=gulou_grid2, address="矩阵路1号", room="1")
    client = api_as(user)
    expected = MATRIX[role]
    got = (
        client.get(f"/api/basedata/people/{person.pk}/").status_code == 200,
        client.get(f"/api/basedata/people/{person2.pk}/").status_code == 200,
        client.get(f"/api/basedata/houses/{house.pk}/").status_code == 200,
    )
    assert got == expected
    for status in (client.get(f"/api/basedata/people/{p.pk}/").status_code
                   for p, ok in ((person, expected[0]), (person2, expected[1])) if not ok):
        assert status == 404
