"""Fixtures of the party tests: the three 党建 demo users, and a small org tree."""

import pytest


def _user(username):
    from gridgov.accounts.models import User

    return User.objects.get(username=username)


@pytest.fixture
def party_gulou(db):
    """党组织书记 of the Gulou community (330203005001)."""
    return _user("party_gulou")


@pytest.fixture
def party_street(db):
    """党组织书记 of 鼓楼街道 (330203005)."""
    return _user("party_street")


@pytest.fixture
def member_gulou(db):
    """党员 (an account) in the Gulou grid (330203005001001)."""
    return _user("member_gulou")
