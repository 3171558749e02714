import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridgov.events import duplicates
from gridgov.events.actions import intake
from gridgov.events.choices import State
from gridgov.events.models import Event

from .intake_support import category, offset, point_in

pytestmark = pytest.mark.django_db


def report(worker, point, text, code="0102"):
    event = intake.report_by_grid_worker(actor=worker, description=text, lng=point[0],
                                         lat=point[1], category=category(code)).event
    MINE.add(event.pk)
    return event


# Events this test module made (the demo may hold events of its own nearby).
MINE: set = set()


@pytest.fixture(autouse=True)
def _forget_mine():
    MINE.clear()


def suggest(event, **kwargs):
    return [s for s in duplicates.suggest(event, **kwargs) if s.event.pk in MINE]


def test_haversine_and_similarity():
    assert duplicates.haversine_m(121.55, 29.87, 121.55, 29.87) == 0
    d = duplicates.haversine_m(121.55, 29.87, 121.55, 29.871)
    assert 110 < d < 112
    assert duplicates.similarity("小区门口垃圾堆积", "小区门口垃圾堆积很多") > 0.8
    assert duplicates.similarity("小区门口垃圾堆积", "路灯不亮") == 0
    assert duplicates.similarity("", "路灯") == 0


def test_found_within_radius_and_window_and_ranked_by_text(grid_worker, gulou_grid,
                                                           gulou_grid2):
    cat = category("0102")
    assert cat.duplicate_radius_m >= 30
    here = point_in(gulou_grid)
    primary = report(grid_worker, here, "鼓楼小区东门口暴露垃圾堆积,气味很大")
    similar = report(grid_worker, offset(here, 10), "小区东门口垃圾堆积气味很大")
    unlike = report(grid_worker, offset(here, 0, 10), "有人乱扔纸箱")
    there = point_in(gulou_grid2)
    assert duplicates.haversine_m(*here, *there) > cat.duplicate_radius_m
    far = report(grid_worker, there, "小区东门口垃圾堆积")
    other_class = report(grid_worker, here, "小区东门口垃圾堆积气味很大", code="0109")
    found = suggest(primary)
    ids = [s.event.pk for s in found]
    assert ids == [similar.pk, unlike.pk]
    assert far.pk not in ids and other_class.pk not in ids
    best = found[0]
    assert 8 < best.distance_m < 12 and best.text_similarity > found[1].text_similarity


def test_outside_time_window_not_suggested(grid_worker, gulou_grid):
    cat = category("0102")
    here = point_in(gulou_grid)
    primary = report(grid_worker, here, "垃圾堆积")
    old = report(grid_worker, here, "垃圾堆积")
    Event.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=cat.duplicate_window_hours + 1))
    assert suggest(primary) == []


def test_merged_events_are_skipped(grid_worker, gulou_grid, intake_clerk):
    here = point_in(gulou_grid)
    primary = report(grid_worker, here, "垃圾堆积")
    dup = report(grid_worker, here, "垃圾堆积")
    duplicates.merge(primary, [dup], actor=intake_clerk)
    dup.refresh_from_db()
    assert dup.state == State.MERGED and dup.merged_into_id == primary.pk
    assert suggest(primary) == []
    assert suggest(dup) == []


def resident(point, text):
    """A resident's report: no class until the clerk registers it."""
    event = intake.report_by_resident(description=text, lng=point[0], lat=point[1]).event
    MINE.add(event.pk)
    return event


def test_unclassified_reports_match_by_text(grid_worker, gulou_grid, settings):
    """Residents report the same heap before anyone classifies it: alike texts nearby match
    across the class line both ways; unlike texts, or too far, do not."""
    settings.GRIDGOV_DUPLICATE_RADIUS_M = 100
    here = point_in(gulou_grid)
    first = resident(here, "小区东门垃圾堆积,臭味很大")
    second = resident(offset(here, metres_east=30), "东门垃圾堆积好几天了,臭味大")
    unlike = resident(offset(here, metres_north=20), "路灯不亮,晚上很黑")
    far = resident(offset(here, metres_east=300), "小区东门垃圾堆积,臭味很大")
    classified = report(grid_worker, offset(here, metres_north=10), "东门垃圾堆积")
    found = {s.event.pk: s for s in suggest(first)}
    assert second.pk in found and classified.pk in found
    assert unlike.pk not in found and far.pk not in found
    assert all(s.text_similarity >= duplicates.TEXT_THRESHOLD for s in found.values())
    # The classified report sees the unclassified ones whose text matches.
    back = {s.event.pk for s in suggest(classified)}
    assert {first.pk, second.pk} <= back and unlike.pk not in back



def test_suggestions_respect_the_viewers_scope(grid_worker, grid_worker2, gulou_grid):
    here = point_in(gulou_grid)
    primary = report(grid_worker, here, "垃圾堆积")
    report(grid_worker, here, "垃圾堆积")
    assert len(suggest(primary, user=grid_worker)) == 1
    assert suggest(primary, user=grid_worker2) == []


def test_merge_needs_a_duplicate(grid_worker, gulou_grid, intake_clerk):
    primary = report(grid_worker, point_in(gulou_grid), "垃圾堆积")
    with pytest.raises(ValidationError) as exc:
        duplicates.merge(primary, [primary], actor=intake_clerk)
    assert "duplicates" in exc.value.message_dict
