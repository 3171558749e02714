"""The hotspot subject: repeated reports of one problem at one place (~50 m) in one grid."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.events import actions as events
from gridgov.events.models import Event
from gridgov.events.tests.helpers_command import category, point_in
from gridgov.rules import actions
from gridgov.rules.models import Firing
from gridgov.rules.rule_specs import CELL_DEGREES

from .support import rule

pytestmark = pytest.mark.django_db


def report(lng, lat, cat, days_ago=0):
    event = events.report_event(source="grid_patrol", description="井盖缺失", lng=lng, lat=lat,
                                category=cat)
    if days_ago:
        Event.objects.filter(pk=event.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days_ago))
    return event


def cell_corner(grid):
    """A point of the grid at the middle of a 0.0005° cell (so small moves stay in it)."""
    lng, lat = point_in(grid)
    return ((int(lng / CELL_DEGREES) + 0.5) * CELL_DEGREES,
            (int(lat / CELL_DEGREES) + 0.5) * CELL_DEGREES)


def test_three_reports_at_one_place_fire_once(recorder, gulou_grid):
    cat = category()
    lng, lat = cell_corner(gulou_grid)
    for n in range(3):
        report(lng + n * 0.00005, lat, cat, days_ago=n * 5)
    report(lng, lat, cat, days_ago=40)              # too old
    report(lng + 0.003, lat, cat)                   # ~300 m away: another cell
    r = rule({"fact": "reports", "op": ">=", "value": 3},
             {"fact": "category", "op": "=", "value": cat.code},
             {"fact": "grid", "op": "=", "value": gulou_grid.code},
             subject="hotspot", outcome="rules_test.hotspot", period="month",
             name="同一地点反复上报")

    run = actions.run_rules(rules=[r])
    again = actions.run_rules(rules=[r])

    firing = Firing.objects.get(rule=r)
    cx, cy = int(lng // CELL_DEGREES), int(lat // CELL_DEGREES)
    assert firing.subject_type == "hotspot"
    assert firing.subject_id == f"{cat.code}:{gulou_grid.code}:{cx}:{cy}"
    assert firing.area_code == gulou_grid.code
    assert firing.facts == {"reports": 3, "category": cat.code, "grid": gulou_grid.code}
    assert "上报次数: 3次" in firing.explanation
    assert (run.fired, again.fired) == (1, 0)
    row = recorder.calls[0]["subject"]
    assert row["reports"] == 3 and row["latest_event"] is not None
    assert abs(row["center_lat"] - lat) < CELL_DEGREES


def test_two_reports_do_not_fire(recorder, gulou_grid):
    cat = category()
    lng, lat = cell_corner(gulou_grid)
    report(lng, lat, cat)
    report(lng, lat, cat)
    r = rule({"fact": "reports", "op": ">=", "value": 3},
             {"fact": "category", "op": "=", "value": cat.code},
             {"fact": "grid", "op": "=", "value": gulou_grid.code},
             subject="hotspot", outcome="rules_test.hotspot")

    actions.run_rules(rules=[r])

    assert not Firing.objects.filter(rule=r).exists()
