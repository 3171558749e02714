"""Fixtures of the 三会一课 tests: a branch of the Gulou grid with three members (one of them
``member_gulou``'s account), a branch in another community, and the party users."""

import pytest

from .support import make_member, make_org, user


@pytest.fixture
def party_gulou(db):
    """党组织书记 of the Gulou community (330203005001)."""
    return user("party_gulou")


@pytest.fixture
def party_street(db):
    """党组织书记 of the Gulou street."""
    return user("party_street")


@pytest.fixture
def member_user(db):
    """党员 with an account (grid 330203005001001)."""
    return user("member_gulou")


@pytest.fixture
def branch(gulou_grid):
    return make_org(gulou_grid, "测试网格党支部")


@pytest.fixture
def members(branch, member_user):
    return [make_member(branch, "党员甲", account=member_user),
            make_member(branch, "党员乙"), make_member(branch, "党员丙")]


@pytest.fixture
def other_branch(db):
    """A branch of another community of the Gulou street (outside party_gulou's areas)."""
    from gridgov.areas.models import Area

    grid = (Area.objects.filter(level="grid", code__startswith="330203005")
            .exclude(code__startswith="330203005001").order_by("code").first())
    org = make_org(grid, "邻社区网格党支部")
    make_member(org, "邻党员甲")
    return org
