"""The statistics rollup (``events.rollups``) equals a recount of the events after every
write, whoever writes: the actions (report, register and reclassify, file, dispatch, return,
claim, complete, verify and rework, close, merge, void, not file), a minor class moved to
another major class, queryset updates (an area reorganised, a date corrected), bulk inserts
and deletes. The recount (``rollup_sync.recount``) is Python over the event rows, written
independently of the triggers' SQL; ``check`` reports drift and ``rebuild`` repairs it."""

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.demo.users import GULOU_GRID
from gridgov.events import actions
from gridgov.events.choices import State
from gridgov.events.models import Event, EventRollup, MajorCategory, MinorCategory
from gridgov.events.rollup_sync import drift, rebuild_rollups, recount, stored

from .workflow_support import call, new_event, people

pytestmark = pytest.mark.django_db

OTHER_GRID = "330203005001002"  # same community
ELSEWHERE = "330203001001001"  # 南门街道
SEED = 1212
STEPS = 90


def assert_no_drift(step=""):
    found = drift()
    assert not found, f"after {step}: {found[:3]}"


@pytest.fixture
def p(db):
    return people()


def _same_department_classes():
    """Minor classes handled by 0102's department in other major classes (so the usual
    handler can take the case after a reclassification)."""
    base = MinorCategory.objects.get(code="0102")
    others = list(MinorCategory.objects.filter(
        default_department=base.default_department, is_active=True)
        .exclude(major=base.major).order_by("code")[:3])
    return [base, *others]


def _bulk(n, rng, when):
    """Events written the way the bulk history writer writes them (``bulk_create``)."""
    from gridgov.areas.models import Area

    grids = {a.code: a for a in Area.objects.filter(code__in=[GULOU_GRID, ELSEWHERE])}
    minors = list(MinorCategory.objects.order_by("code")[:5])
    rows = []
    for i in range(n):
        grid = grids[rng.choice(sorted(grids))]
        created = when - dt.timedelta(days=rng.randrange(400), hours=rng.randrange(24))
        closed = rng.random() < 0.6
        rows.append(Event(
            number=f"R{rng.randrange(10**9):09d}{i}", source=rng.choice(
                ["grid_patrol", "hotline_12345", "citizen"]),
            state=State.CLOSED if closed else rng.choice([State.DISPATCHED, State.VOID]),
            category=rng.choice(minors + [None]), description="批量", lng=grid.centroid_lng,
            lat=grid.centroid_lat, grid=grid, area_code=grid.code, created_at=created,
            updated_at=created, handle_deadline=created + dt.timedelta(hours=24),
            closed_at=created + dt.timedelta(hours=rng.choice([5, 30])) if closed else None))
    return Event.objects.bulk_create(rows)


def test_the_rollup_equals_a_recount_after_every_step(p):
    rng = random.Random(SEED)
    classes = _same_department_classes()
    assert len(classes) >= 2
    assert_no_drift("setup")
    live: list[Event] = []
    done: list[Event] = []
    seen = set()

    def fresh(ev):
        return Event.objects.get(pk=ev.pk)

    for step in range(STEPS):
        ev = fresh(rng.choice(live)) if live and rng.random() < 0.75 else None
        state = ev.state if ev else None
        if ev is None:
            what = rng.choice(["report", "report", "bulk", "reclass_catalog", "move_area",
                               "backdate", "delete", "merge"])
        else:
            what = {
                # Weighted toward the main path, so most cases reach the end.
                State.REPORTED: ["register", "register_reclassify", "register", "void"],
                State.REGISTERED: ["file", "file", "file", "not_file"],
                State.FILED: ["dispatch", "dispatch", "dispatch", "void"],
                State.DISPATCHED: ["claim", "claim", "return"],
                State.IN_PROGRESS: ["complete"],
                State.COMPLETED: ["verify", "verify", "rework"],
            }.get(state, ["none"])
            what = rng.choice(what)
        if what == "report":
            live.append(new_event(p, category=rng.choice(classes).code))
        elif what == "bulk":
            done.extend(_bulk(rng.randrange(1, 6), rng, timezone.now()))
        elif what == "register":
            call("register", ev, p)
        elif what == "register_reclassify":
            call("register", ev, p, category=rng.choice(classes).code)
        elif what in ("file", "void", "not_file", "dispatch", "claim", "return", "complete"):
            call(what, ev, p)
        elif what == "verify":
            call("verify", ev, p)
        elif what == "rework":
            call("verify", ev, p, passed=False, remark="未清理干净")
        elif what == "reclass_catalog":
            # A minor class moved to another major class: all its events move.
            minor = rng.choice(classes)
            target = rng.choice(list(MajorCategory.objects.exclude(pk=minor.major_id)[:4]))
            actions.update_category(minor, actor=None, major=target)
        elif what == "move_area" and done:
            # An area reorganised (a data migration's queryset update).
            pks = [e.pk for e in rng.sample(done, min(3, len(done)))]
            Event.objects.filter(pk__in=pks).update(area_code=OTHER_GRID)
        elif what == "backdate" and done:
            pks = [e.pk for e in rng.sample(done, min(3, len(done)))]
            Event.objects.filter(pk__in=pks).update(
                created_at=timezone.now() - dt.timedelta(days=rng.randrange(30, 90)))
        elif what == "delete" and done:
            victim = done.pop(rng.randrange(len(done)))
            Event.objects.filter(pk=victim.pk).delete()
        elif what == "merge":
            open_ones = [e for e in live if fresh(e).state not in (
                State.MERGED, State.VOID, State.NOT_FILED, State.CLOSED)]
            if len(open_ones) >= 2:
                primary, duplicate = rng.sample(open_ones, 2)
                if fresh(duplicate).state in ("reported", "registered", "filed"):
                    actions.merge_events(primary, [duplicate], actor=p["clerk"])
        seen.add(what)
        if ev is not None and fresh(ev).state in (State.CLOSED, State.VOID, State.NOT_FILED,
                                                  State.MERGED):
            live.remove(next(e for e in live if e.pk == ev.pk))
            done.append(ev)
        assert_no_drift(f"step {step} {what}")
    # The walk went through the writers that matter (fixed seed: the same walk every run).
    assert {"report", "register_reclassify", "file", "dispatch", "return", "complete",
            "verify", "rework", "void", "merge", "reclass_catalog", "bulk", "move_area",
            "backdate", "delete"} <= seen, seen
    assert EventRollup.objects.filter(total__gt=0).exists()


def test_day_and_month_rows_hold_hand_counted_figures(p):
    """Two events in one month on two days: the day rows (per community) one each, the
    month row (per street) both."""
    from gridgov.areas.models import Area

    grid = Area.objects.get(code=ELSEWHERE)
    minor = MinorCategory.objects.get(code="0102")
    zone = timezone.get_current_timezone()
    a = dt.datetime(2019, 3, 1, 7, 30, tzinfo=zone)  # 1 March local (28 Feb UTC)
    b = dt.datetime(2019, 3, 20, 12, tzinfo=zone)
    Event.objects.bulk_create([
        Event(number="H1", source="citizen", state=State.CLOSED, category=minor,
              description="x", lng=grid.centroid_lng, lat=grid.centroid_lat, grid=grid,
              area_code=grid.code, created_at=a, updated_at=a,
              handle_deadline=a + dt.timedelta(hours=24),
              closed_at=a + dt.timedelta(hours=10)),
        Event(number="H2", source="citizen", state=State.VOID, category=minor,
              description="x", lng=grid.centroid_lng, lat=grid.centroid_lat, grid=grid,
              area_code=grid.code, created_at=b, updated_at=b),
    ])
    rows = stored()
    key = (grid.code[:12], minor.major_id, "citizen")
    assert rows[("d", dt.date(2019, 3, 1), *key)] == {
        "total": 1, "due": 1, "closed": 1, "on_time": 1, "hours_sum": 10.0}
    assert rows[("d", dt.date(2019, 3, 20), *key)] == {
        "total": 1, "due": 0, "closed": 0, "on_time": 0, "hours_sum": 0.0}
    # Month rows are per street.
    assert rows[("m", dt.date(2019, 3, 1), grid.code[:9], *key[1:])] == {
        "total": 2, "due": 1, "closed": 1, "on_time": 1, "hours_sum": 10.0}
    assert ("d", dt.date(2019, 2, 28), *key) not in rows  # the local day, not UTC's


def test_check_reports_drift_and_rebuild_repairs_it_audited_and_idempotent(p, capsys):
    new_event(p)
    row = EventRollup.objects.filter(total__gt=0).order_by("pk").first()
    EventRollup.objects.filter(pk=row.pk).update(total=row.total + 5)
    EventRollup.objects.create(grain="d", day=dt.date(2001, 1, 1), area_code="330203005001",
                               major_id=0, source="citizen", total=3, due=3)
    assert len(drift()) == 2
    with pytest.raises(SystemExit) as exit_info:
        call_command("rollups", "check")
    assert exit_info.value.code == 1
    assert "共 2 处偏差" in capsys.readouterr().out

    before = AuditRecord.objects.filter(action="events.rebuild_rollups").count()
    first = rebuild_rollups()
    assert first["repaired"] == 2 and drift() == []
    rows = stored()
    assert set(rows) == set(recount())
    call_command("rollups", "rebuild")
    assert stored() == rows  # idempotent: the same rows
    records = AuditRecord.objects.filter(action="events.rebuild_rollups").order_by("seq")
    assert records.count() == before + 2
    assert records.last().changes["drift_keys"] == [None, 0]
    call_command("rollups", "check")
    assert "一致" in capsys.readouterr().out
