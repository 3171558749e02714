"""Start, points, stop, the automatic end, one active patrol, and the audit trail."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.patrols import actions
from gridgov.patrols.choices import EndKind, PatrolState
from gridgov.patrols.models import Patrol, PatrolPoint

from .support import as_points, start, street_walk

pytestmark = pytest.mark.django_db


def test_start_records_where_and_audits(grid_worker, gulou_grid):
    patrol, origin, at = start(grid_worker, gulou_grid)
    assert patrol.state == PatrolState.ACTIVE
    assert patrol.area_code == gulou_grid.code and patrol.grid == gulou_grid
    assert (patrol.start_lng, patrol.start_lat) == origin
    assert patrol.point_count == 1 and patrol.last_at == at
    assert AuditRecord.objects.filter(action="patrols.start", object_id=str(patrol.pk)).exists()


def test_the_same_client_id_answers_the_same_patrol(grid_worker, gulou_grid):
    cid = uuid.uuid4()
    first, _, _ = start(grid_worker, gulou_grid, client_id=cid)
    again, _, _ = start(grid_worker, gulou_grid, client_id=cid)
    assert again.pk == first.pk
    assert Patrol.objects.filter(worker=grid_worker).count() == 1


def test_one_active_patrol_per_worker(grid_worker, gulou_grid):
    first, _, _ = start(grid_worker, gulou_grid)
    with pytest.raises(actions.Conflict) as caught:
        start(grid_worker, gulou_grid)
    assert caught.value.patrol.pk == first.pk
    first.refresh_from_db()
    assert first.state == PatrolState.ACTIVE  # nothing ended silently


def test_points_are_sampled_and_a_batch_sent_again_adds_nothing(grid_worker, gulou_grid):
    patrol, origin, at = start(grid_worker, gulou_grid)
    rows = street_walk(origin, at + dt.timedelta(seconds=10))
    patrol = actions.add_points(patrol, points=as_points(rows), actor=grid_worker)
    # the first walk point is at the start point (0 m): dropped; 40 more kept
    assert patrol.kept == 40
    assert patrol.point_count == 41
    assert patrol.distance_m == pytest.approx(1000, abs=0.5)
    again = actions.add_points(patrol, points=as_points(rows), actor=grid_worker)
    assert again.kept == 0 and again.point_count == 41
    assert PatrolPoint.objects.filter(patrol=patrol).count() == 41
    assert again.distance_m == pytest.approx(1000, abs=0.5)
    assert not AuditRecord.objects.filter(action__startswith="patrols.points").exists()


def test_only_the_worker_sends_points_to_their_patrol(grid_worker, grid_worker2, gulou_grid):
    patrol, origin, at = start(grid_worker, gulou_grid)
    with pytest.raises(PermissionDenied):
        actions.add_points(patrol, points=[], actor=grid_worker2)
    with pytest.raises(PermissionDenied):
        actions.stop_patrol(patrol, actor=grid_worker2)


def test_stop_keeps_time_and_distance_and_is_idempotent(grid_worker, gulou_grid):
    patrol, origin, at = start(grid_worker, gulou_grid, ago=dt.timedelta(minutes=40))
    rows = street_walk(origin, at + dt.timedelta(seconds=10), metres=500)
    actions.add_points(patrol, points=as_points(rows), actor=grid_worker)
    end = at + dt.timedelta(minutes=35)
    patrol = actions.stop_patrol(patrol, ended_at=end, actor=grid_worker)
    assert patrol.state == PatrolState.ENDED and patrol.end_kind == EndKind.STOPPED
    assert patrol.duration_s == 35 * 60
    assert patrol.distance_m == pytest.approx(500, abs=0.5)
    assert (patrol.end_lng, patrol.end_lat) == (patrol.last_lng, patrol.last_lat)
    again = actions.stop_patrol(patrol, actor=grid_worker)
    assert again.ended_at == end and again.duration_s == 35 * 60
    assert AuditRecord.objects.filter(action="patrols.stop", object_id=str(patrol.pk)).count() == 1
    # a new patrol may start now
    start(grid_worker, gulou_grid, ago=dt.timedelta(minutes=1))


def test_device_times_are_checked(grid_worker, gulou_grid):
    with pytest.raises(ValidationError) as caught:
        actions.start_patrol(client_id=uuid.uuid4(), actor=grid_worker,
                             started_at=timezone.now() + dt.timedelta(minutes=10))
    assert "started_at" in caught.value.message_dict
    patrol, _, at = start(grid_worker, gulou_grid)
    with pytest.raises(ValidationError) as caught:
        actions.stop_patrol(patrol, ended_at=at - dt.timedelta(minutes=1), actor=grid_worker)
    assert "ended_at" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.start_patrol(client_id=uuid.uuid4(), lng=121.5, actor=grid_worker)
    assert "lat" in caught.value.message_dict


def test_points_after_the_end_are_dropped(grid_worker, gulou_grid):
    patrol, origin, at = start(grid_worker, gulou_grid)
    patrol = actions.stop_patrol(patrol, ended_at=at + dt.timedelta(minutes=2),
                                 actor=grid_worker)
    rows = street_walk(origin, at + dt.timedelta(seconds=10), metres=500)  # 200 s of walking
    patrol = actions.add_points(patrol, points=as_points(rows), actor=grid_worker)
    # a late batch: points up to the end count (10 s … 120 s: the first one stands on the start
    # point, then 11 steps of 25 m), later ones do not
    assert patrol.kept == 11
    assert patrol.distance_m == pytest.approx(275, abs=0.5)


def test_a_forgotten_patrol_ends_at_its_last_point(grid_worker, grid_worker2, gulou_grid,
                                                   gulou_grid2):
    old, origin, at = start(grid_worker, gulou_grid, ago=dt.timedelta(hours=13))
    rows = street_walk(origin, at + dt.timedelta(seconds=10), metres=200)
    actions.add_points(old, points=as_points(rows), actor=grid_worker)
    recent, _, _ = start(grid_worker2, gulou_grid2, ago=dt.timedelta(hours=2))
    assert actions.end_stale_patrols() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.state == PatrolState.ENDED and old.end_kind == EndKind.AUTO
    assert old.ended_at == old.last_at == at + dt.timedelta(seconds=90)
    assert old.duration_s == 90
    assert recent.is_active
    record = AuditRecord.objects.get(action="patrols.auto_end", object_id=str(old.pk))
    assert record.actor_id is None
    assert actions.end_stale_patrols() == 0


def test_the_periodic_job_ends_forgotten_patrols(grid_worker, gulou_grid, settings):
    from gridgov.patrols import autoend

    old, _, _ = start(grid_worker, gulou_grid, ago=dt.timedelta(hours=13))
    settings.GRIDGOV_PATROL_AUTOEND_SECONDS = 60
    autoend.reset()
    ran, ended = autoend.job.run_if_due()
    assert ran and ended == 1
    assert autoend.job.run_if_due() == (False, None)  # not again within the interval
    autoend.reset()


def test_roles_without_patrol_cannot_start(dispatcher):
    with pytest.raises(PermissionDenied):
        actions.start_patrol(client_id=uuid.uuid4(), actor=dispatcher)


def test_recorded_history(grid_worker, gulou_grid):
    from gridgov.patrols.sampling import Fix

    origin = (121.55, 29.87)
    at = timezone.now() - dt.timedelta(days=20)
    rows = street_walk(origin, at, metres=1000)
    fixes = [Fix(t, lng, lat, acc) for lng, lat, acc, t in as_points(rows)]
    patrol = actions.record_patrol(grid_worker, client_id=uuid.uuid4(), fixes=fixes)
    assert patrol.state == PatrolState.ENDED
    assert patrol.distance_m == pytest.approx(1000, abs=0.5)
    assert patrol.duration_s == 400
    assert AuditRecord.objects.filter(action="patrols.record").exists()
