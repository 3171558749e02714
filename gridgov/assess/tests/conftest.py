import pytest

from . import support


@pytest.fixture
def big(db):
    return support.build_big()


@pytest.fixture
def small(big):
    return support.build_small(big)
