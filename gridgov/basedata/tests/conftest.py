"""Fixtures of the basic-data tests: generated valid identifiers and a few people."""

import datetime as dt

import pytest

from gridgov.demo.basedata import make_id_number, make_uscc


@pytest.fixture
def id_number():
    """A factory of valid, distinct ID numbers (born 1980-1990)."""
    counter = iter(range(1, 10_000))

    def make(birth=dt.date(1985, 3, 14), female=False, region="330203"):
        return make_id_number(birth, next(counter) + 400, female, region)

    return make


@pytest.fixture
def uscc_code():
    counter = iter(range(900, 10_000))
    return lambda: make_uscc(next(counter))


@pytest.fixture
def person(db, gulou_grid, id_number):
    """A person of gw_gulou's grid with an ID number and a phone."""
    from gridgov.basedata import actions

    return actions.create_person(actor=None, grid=gulou_grid, name="测试甲",
                                 id_number=id_number(), phone="13912345678",
                                 address="测试路1号")


@pytest.fixture
def person2(db, gulou_grid2, id_number):
    """A person of gw_gulou2's grid (outside gw_gulou's scope)."""
    from gridgov.basedata import actions

    return actions.create_person(actor=None, grid=gulou_grid2, name="测试乙",
                                 id_number=id_number(), phone="13987654321")


@pytest.fixture
def building(db, gulou_grid):
    """A building of gw_gulou's grid, with a point and two houses."""
    from gridgov.basedata import actions

    b = actions.create_building(actor=None, grid=gulou_grid, name="1幢", address="测试楼路8号",
                                floors=6, lng=gulou_grid.centroid_lng,
                                lat=gulou_grid.centroid_lat)
    for room in ("101", "102"):
        actions.create_house(actor=None, building=b, grid=gulou_grid, room=room)
    return b


@pytest.fixture
def building2(db, gulou_grid2):
    """A building of gw_gulou2's grid (outside gw_gulou's scope), without a point."""
    from gridgov.basedata import actions

    return actions.create_building(actor=None, grid=gulou_grid2, name="2幢",
                                   address="测试楼路9号", floors=18)
