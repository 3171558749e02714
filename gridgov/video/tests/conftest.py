"""Fixtures of the video registry's tests: a data officer of 区公安分局 (the demo has none),
and cameras of the demo by owner and sharing class."""

import pytest

from .support import GOOD_CODE, make_officer  # noqa: F401  (re-exported for the tests)


@pytest.fixture(autouse=True)
def _fresh_camera_index():
    """Rebuild the nearby index after each test: a test's writes are rolled back behind the
    index's back (no commit, so no invalidation), and the next test must not see them."""
    yield
    from gridgov.video.nearby import invalidate

    invalidate()


@pytest.fixture
def police_officer(db):
    """数据专员 of 区公安分局 (D015): manages and grants the police cameras."""
    return make_officer("t_data_gongan", "D015")


@pytest.fixture
def police_camera(db):
    """A conditional 公安 camera in 鼓楼街道."""
    from gridgov.video.models import Camera

    return (Camera.objects.filter(owner__code="D015", is_active=True,
                                  sharing_type="conditional", area_code__startswith="330203005")
            .order_by("code").first())


@pytest.fixture
def zhifa_camera(db):
    """An unconditional 综合执法 camera in 鼓楼街道."""
    from gridgov.video.models import Camera

    return (Camera.objects.filter(owner__code="D034", is_active=True,
                                  area_code__startswith="330203005").order_by("code").first())


@pytest.fixture
def hidden_camera(db):
    """A 水利 camera that is not shared."""
    from gridgov.video.models import Camera

    return Camera.objects.filter(owner__code="D025", sharing_type="not_shared").first()


@pytest.fixture
def police(db):
    from gridgov.accounts.models import Department

    return Department.objects.get(code="D015")


@pytest.fixture
def minzheng(db):
    from gridgov.accounts.models import Department

    return Department.objects.get(code="D016")

