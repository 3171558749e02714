"""Fixtures of the partywork tests (builders in ``support.py``)."""

import pytest

from . import support


@pytest.fixture
def party_gulou(db):
    """党组织书记 of the Gulou community (330203005001)."""
    return support.user("party_gulou")


@pytest.fixture
def party_street(db):
    """党组织书记 of 鼓楼街道 (330203005)."""
    return support.user("party_street")


@pytest.fixture
def member_gulou(db):
    """党员 (an account) in the Gulou grid (330203005001001)."""
    return support.user("member_gulou")


@pytest.fixture
def party(db, member_gulou):
    """The Gulou community committee, a branch per grid, and three members."""
    return support.build_party(member_gulou)


@pytest.fixture
def free_heads(db):
    """``free_heads(code, n, exclude)``: households of a grid without an active link."""
    return support.free_heads


@pytest.fixture
def make_household(db):
    """``make_household(grid_code, **person)``: a new household of one in the grid."""
    return support.make_household
