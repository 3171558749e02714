"""Fixtures of the OGC API tests: its limits off (the suite's THROTTLES_OFF predates it), and
the departments' layers the scope tests read."""

import pytest
from django.test.utils import override_settings

from gridgov.gis.tests.support import make_layer
from gridgov.sharing.tests.conftest import zhifa, zhifa_key

__all__ = ["zhifa", "zhifa_key"]


@pytest.fixture(autouse=True)
def _ogcapi_unthrottled():
    with override_settings(GRIDGOV_RATE_OGCAPI="0", GRIDGOV_RATE_OGCAPI_ANON="0"):
        yield


@pytest.fixture
def layers(db):
    """区应急管理局 (D030): a public layer, a conditional one granted to nobody, and an
    unpublished one; 区水利局 (D025): a conditional layer granted to 区综合行政执法局 (D034)."""
    from gridgov.accounts.models import Department
    from gridgov.gis import actions

    public = make_layer("D030", "test-shelters", sharing_type="unconditional", is_public=True,
                        name="应急避难场所")
    closed = make_layer("D030", "test-rescue", name="救援队伍驻地")
    draft = make_layer("D030", "test-draft", publish=False, name="草稿")
    flood = make_layer("D025", "test-flood", name="防汛易涝点")
    actions.grant_layers(actor=None, owner=flood.owner, layer=flood, reason="联合执法",
                         department=Department.objects.get(code="D034"))
    return {"public": public, "closed": closed, "draft": draft, "flood": flood}
