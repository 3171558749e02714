"""Event models: the seeded catalog and ``restrict_q`` for every role."""

import pytest

from gridgov.events import actions
from gridgov.events.catalog_data import MINORS
from gridgov.events.choices import State
from gridgov.events.models import (
    Event,
    EventAttachment,
    EventRequest,
    MajorCategory,
    MinorCategory,
    Platform,
)

from .workflow_support import call, event_in, new_event, people, point_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(db):
    return people()


def test_seeded_catalog():
    assert Platform.objects.count() >= 4
    assert set(Platform.objects.values_list("name", flat=True)) >= {
        "综治工作", "市场监管", "综合执法", "便民服务"}
    assert MinorCategory.objects.count() >= len(MINORS) >= 60
    kinds = set(MajorCategory.objects.values_list("kind", flat=True))
    assert kinds == {"urban", "social"}
    garbage = MinorCategory.objects.get(name="暴露垃圾")
    assert (garbage.handle_amount, garbage.handle_unit) == (1, "working_days")
    assert garbage.default_department.code == "D034"  # linked by the demo loader
    assert garbage.filing_condition and garbage.closing_condition
    assert MinorCategory.objects.get(name="道路不洁").handle_limit_display() == "5工作小时"
    assert MinorCategory.objects.get(name="私搭乱建").handle_amount == 15  # 违法搭建
    barbecue = MinorCategory.objects.get(name="露天烧烤")
    assert (barbecue.handle_amount, barbecue.handle_unit) == (2, "hours")


def test_catalog_is_read_by_all_and_changed_by_the_system_administrator(p):
    assert MinorCategory.objects.restrict(p["worker"]).count() == MinorCategory.objects.count()
    assert not MinorCategory.objects.restrict(p["shift"], "change").exists()
    assert MinorCategory.objects.restrict(p["sys_admin"], "change").exists()


def test_catalog_edits_are_actions(p):
    from django.core.exceptions import PermissionDenied, ValidationError

    category = MinorCategory.objects.get(code="0102")
    with pytest.raises(PermissionDenied):
        actions.update_category(category, actor=p["shift"], handle_amount=2)
    with pytest.raises(ValidationError) as info:
        actions.update_category(category, actor=p["sys_admin"], handle_amount=0)
    assert "handle_amount" in info.value.message_dict
    updated = actions.update_category(category, actor=p["sys_admin"], handle_amount=2)
    assert updated.handle_amount == 2


def _visible(user, *events):
    ids = set(Event.objects.restrict(user).values_list("pk", flat=True))
    return [e.pk in ids for e in events]


def test_scope_by_role(p):
    mine = new_event(p)                                     # gw_gulou's grid
    other_grid = new_event(p, grid="330203005001002")       # gw_gulou2's grid
    lng, lat = point_in("330203001001001")
    other_street = actions.report_event(source="citizen", description="南门", lng=lng,
                                        lat=lat, category="0102")
    rural = new_event(p, grid="330203101201001")
    dispatched = call("dispatch", event_in(State.FILED, p), p)
    events = (mine, other_grid, other_street, rural)
    assert _visible(p["worker"], *events) == [True, False, False, False]
    assert _visible(p["worker2"], *events) == [False, True, False, False]
    assert _visible(p["chief"], *events) == [True, True, False, False]
    assert _visible(p["rural_worker"], *events) == [False, False, False, True]
    for who in ("clerk", "shift", "dispatcher", "leader"):
        assert _visible(p[who], *events) == [True, True, False, False], who
    assert _visible(p["district_leader"], *events) == [True, True, True, True]
    # Departments: only what was dispatched to them.
    assert _visible(p["handler"], mine, dispatched) == [False, True]
    assert _visible(p["dept_admin"], mine, dispatched) == [False, True]
    assert _visible(p["data_officer"], mine, dispatched) == [False, False]
    # The three administrators: none.
    for who in ("sys_admin", "sec_admin", "audit_admin"):
        assert not Event.objects.restrict(p[who]).exists(), who


def test_reporter_sees_own_report(p):
    lng, lat = point_in("330203001001001")
    own = actions.report_event(source="grid_patrol", description="路过看到", lng=lng, lat=lat,
                               actor=p["worker"])
    assert Event.objects.restrict(p["worker"]).filter(pk=own.pk).exists()


def test_related_rows_follow_the_event(p):
    event = call("request_extension", event_in(State.IN_PROGRESS, p), p)
    assert EventRequest.objects.restrict(p["handler"]).filter(event=event).exists()
    assert not EventRequest.objects.restrict(p["worker2"]).filter(event=event).exists()
    assert not EventAttachment.objects.restrict(p["sys_admin"]).exists()


def test_masked_phone_and_codes(p):
    lng, lat = point_in()
    event = actions.report_event(source="hotline_12345", description="噪声", lng=lng, lat=lat,
                                 reporter_phone="13912345678")
    assert event.masked_phone == "139****5678"
    assert event.street_code == "330203005" and event.community_code == "330203005001"
    assert str(event) == event.number
