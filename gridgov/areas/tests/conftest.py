"""Small hand-built areas for the geometry, index and action tests.

They live in a made-up district (code 990101, a prefix GB/T 2260 never uses) placed around
100°E 30°N, far from the Haishu demo, so these tests run the same with or without the demo
district in the database.

Layout (WGS-84 degrees)::

    district 990101   [100.00, 100.04] × [30.00, 30.04]
      street 990101001 (街道)  west half  [100.00, 100.02] × [30.00, 30.04]
        community 990101001001  [100.00, 100.02] × [30.00, 30.02]
          grid …001  NW  [100.00, 100.01] × [30.01, 30.02]
          grid …002  NE  [100.01, 100.02] × [30.01, 30.02]
          grid …003  SW  [100.00, 100.01] × [30.00, 30.01]
          (SE quadrant left open: a gap of 0.01° × 0.01°)
"""

import datetime as dt

import pytest

from gridgov.accounts.choices import Role
from gridgov.accounts.models import Assignment, User
from gridgov.areas import index
from gridgov.areas.actions import bulk_create_areas
from gridgov.areas.choices import Kind, Level

START = dt.date(2020, 1, 1)
D = "990101"
S = D + "001"
C = S + "001"


def square(x0, y0, x1, y1):
    """A GeoJSON polygon for a lng/lat rectangle (counter-clockwise)."""
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def rows():
    return [
        dict(code=D, name="测试区", level=Level.DISTRICT, kind=Kind.DISTRICT, parent=None,
             geometry=square(100.00, 30.00, 100.04, 30.04), valid_from=START),
        dict(code=S, name="测试街道", level=Level.STREET, kind=Kind.STREET, parent=D,
             geometry=square(100.00, 30.00, 100.02, 30.04), valid_from=START),
        dict(code=C, name="测试社区", level=Level.COMMUNITY, kind=Kind.COMMUNITY, parent=S,
             geometry=square(100.00, 30.00, 100.02, 30.02), valid_from=START),
        dict(code=C + "001", name="一网格", level=Level.GRID, kind=Kind.BASIC_GRID, parent=C,
             geometry=square(100.00, 30.01, 100.01, 30.02), valid_from=START),
        dict(code=C + "002", name="二网格", level=Level.GRID, kind=Kind.BASIC_GRID, parent=C,
             geometry=square(100.01, 30.01, 100.02, 30.02), valid_from=START),
        dict(code=C + "003", name="三网格", level=Level.GRID, kind=Kind.BASIC_GRID, parent=C,
             geometry=square(100.00, 30.00, 100.01, 30.01), valid_from=START),
    ]


@pytest.fixture(autouse=True)
def fresh_index():
    """Every test starts and ends with a rebuilt index (test transactions roll back)."""
    index.invalidate()
    yield
    index.invalidate()


@pytest.fixture
def tree(db):
    """The hand-built hierarchy, by code."""
    created = bulk_create_areas(rows(), actor=None)
    return {a.code: a for a in created}


@pytest.fixture
def tdistrict(tree):
    return tree[D]


@pytest.fixture
def tstreet(tree):
    return tree[S]


@pytest.fixture
def tcommunity(tree):
    return tree[C]


@pytest.fixture
def tgrids(tree):
    return [tree[C + "001"], tree[C + "002"], tree[C + "003"]]


def _user(username, role, area):
    user = User.objects.create_user(username=username, password="Xy7#longenough",
                                    real_name=username)
    Assignment.objects.create(user=user, role=role, area=area)
    return user


@pytest.fixture
def t_admin(tdistrict):
    """A system administrator of the test district."""
    return _user("t_sysadmin", Role.SYS_ADMIN, tdistrict)


@pytest.fixture
def t_leader(tdistrict):
    """A leader of the test district: reads everything there, writes no areas."""
    return _user("t_leader", Role.LEADER, tdistrict)
