"""Writing generated cases in bulk: events, their audit records, step rows and requests.

One chunk of cases per transaction, each written as ``gridgov.events.actions`` would have left
it (the columns, one audit record per step on the event's own chain, the ``EventStep`` row
indexing it, the extension and suspension requests), but with a handful of INSERTs per
table instead of a dozen statements per step. Signals are not sent: an import notifies
nobody. The audit records are appended through ``gridgov.audit.bulk``: they carry the time
of the import, and each says in its ``history`` entry the moment of the step it describes.
"""

import datetime as dt
import random

import shapely
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from shapely.geometry import Point, shape

from gridgov.accounts.models import Department, User
from gridgov.areas.models import Area
from gridgov.audit import bulk
from gridgov.core.personal_data import phone_columns
from gridgov.events.models import Event, EventRequest, EventStep, MinorCategory

from ..users import DEMO_USERS, GAOQIAO_GRID, GULOU_GRID, GULOU_GRID2, STREET_STAFF
from . import data, plan

KEY_PREFIX = "demo-history-"
RURAL_KINDS = ("town", "township")
OLD_CITY = {"330203001", "330203002", "330203003", "330203004", "330203005", "330203006"}
POINTS_PER_GRID = 12
# Departments a case is sometimes sent to by mistake before it is returned (回退).
OFTEN_MISSENT = ("D015", "D016", "D021", "D022", "D025", "D030", "D032", "D034")
BATCH = 500


def key(index: int) -> str:
    return f"{KEY_PREFIX}{index:07d}"


def _points(geometry, rng) -> list:
    """A few fixed points inside the grid: cases come back to the same places (hotspots)."""
    polygon = shape(geometry)
    shapely.prepare(polygon)
    minx, miny, maxx, maxy = polygon.bounds
    out = []
    for _ in range(POINTS_PER_GRID * 20):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if polygon.contains(Point(x, y)):
            out.append((round(x, 6), round(y, 6)))
            if len(out) == POINTS_PER_GRID:
                break
    if not out:
        p = polygon.representative_point()
        out.append((p.x, p.y))
    return out


def _streets(seed) -> list:
    offices = dict(Department.objects.filter(code__startswith="S").values_list("code", "id"))
    parents = dict(Area.objects.filter(level="community").values_list("id", "name"))
    grids = {}
    for grid in Area.objects.filter(level="grid").order_by("code").only(
            "id", "code", "parent_id", "geometry"):
        rng = random.Random(f"{seed}-{grid.code}")
        grids.setdefault(grid.code[:9], []).append(plan.Grid(
            id=grid.id, code=grid.code, place=parents.get(grid.parent_id, ""),
            points=_points(grid.geometry, rng)))
    out = []
    for code, name, kind in Area.objects.filter(level="street").order_by("code").values_list(
            "code", "name", "kind"):
        if not grids.get(code):
            continue
        rural = kind in RURAL_KINDS
        density = 1.5 if code in OLD_CITY else (0.5 if rural else 1.0)
        out.append(plan.Street(code=code, name=name, rural=rural, grids=grids[code],
                               office_id=offices.get(f"S{code}"),
                               weight=len(grids[code]) * density))
    return out


def _categories() -> dict:
    out = {}
    for c in MinorCategory.objects.filter(code__in=list(data.CATEGORIES), is_active=True):
        out[c.code] = plan.Category(
            id=c.id, code=c.code, name=c.name, urgency=c.default_urgency,
            dispatch_urgent=c.dispatch_minutes_urgent, dispatch_normal=c.dispatch_minutes_normal,
            handle_amount=c.handle_amount, handle_unit=c.handle_unit,
            verify_urban=c.verify_hours_urban, verify_rural=c.verify_hours_rural,
            department_id=c.default_department_id)
    return out


def context(seed: int, now=None, months: int = 13) -> plan.Context:
    """Read what cases are drawn from: streets, grids, classes, departments, demo users.

    The cases fall between the first of the month ``months`` back and ``now``."""
    now = timezone.localtime(now or timezone.now())
    end = now.date()
    # By default from the first of the month thirteen months back: a full year before this
    # month, so this month can be compared with the same month last year.
    year, month = end.year, end.month - months
    while month < 1:
        year, month = year - 1, month + 12
    start = dt.date(year, month, 1)
    days, weights = plan.day_table(start, end)
    depts = dict(Department.objects.filter(code__in=OFTEN_MISSENT).values_list("code", "id"))
    roles = {row[0]: row[2] for row in DEMO_USERS}
    users = {u.username: (u.id, roles[u.username]) for u in User.objects.filter(
        username__in=list(roles))}
    grid_ids = dict(Area.objects.filter(code__in=(GULOU_GRID, GULOU_GRID2, GAOQIAO_GRID))
                    .values_list("code", "id"))
    workers = {grid_ids.get(GULOU_GRID): "gw_gulou", grid_ids.get(GULOU_GRID2): "gw_gulou2",
               grid_ids.get(GAOQIAO_GRID): "gw_gaoqiao"}
    ctx = plan.Context(
        streets=_streets(seed), categories=_categories(), zhifa_id=depts.get("D034"),
        departments=sorted(depts.values()), users=users, grid_workers=workers,
        slugs={code: slug for slug, code, _l, _d in STREET_STAFF}, days=days,
        day_weights=weights, now=now)
    plan.category_tables(ctx)
    return ctx


def _reserve_ids(n: int) -> list[int]:
    """``n`` event ids no other writer will take: from PostgreSQL's sequence, elsewhere above
    the highest id (SQLite's AUTOINCREMENT then continues after them)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [Event._meta.db_table, n])
            return [row[0] for row in cursor.fetchall()]
    top = Event.objects.aggregate(top=Max("id"))["top"] or 0
    return list(range(top + 1, top + 1 + n))


EVENT_COLUMNS = (
    "source", "nature", "urgency", "state", "category_id", "description", "lng", "lat",
    "address", "grid_id", "area_code", "level", "department_id", "assignee_id",
    "reporter_user_id", "reporter_name", "camera_code", "external_id", "supervised",
    "resolved_on_spot", "stage_deadline", "stage_started_at", "handle_deadline",
    "deadline_note", "deadline_alert", "overdue_reason", "evaluation_score",
    "evaluation_comment", "hold_reason", "version", "created_at", "updated_at", "closed_at",
)


def _event(case, pk) -> Event:
    ev = case.event
    event = Event(pk=pk, idempotency_key=key(case.index),
                  number=f"E{timezone.localtime(ev['created_at']):%Y%m%d}{pk:08d}",
                  **{name: ev[name] for name in EVENT_COLUMNS})
    for column, value in phone_columns(ev.get("reporter_phone", ""), "reporter_phone").items():
        setattr(event, column, value)
    return event


def _utc(value):
    return value.astimezone(dt.UTC).isoformat() if value else None


def _entries(case, event, users):
    for step in case.steps:
        changes = dict(step.changes)
        changes["history"] = [None, {"at": _utc(step.at), "by": "gridgov demo"}]
        yield bulk.Entry(
            chain_key=f"events.event:{event.pk}", action=f"events.{step.action}",
            object_type="events.event", object_id=str(event.pk), object_repr=event.number,
            changes=changes, remark=step.remark, actor=users.get(step.actor),
            role=step.role)


STEP_COLUMNS = ("event_id", "seq", "action", "from_state", "to_state", "actor_id",
                "department_id", "audit_record_id", "at", "area_code", "stage_deadline",
                "deadline_met")


def _steps(cases, events, records, users):
    out, i = [], 0
    for case, event in zip(cases, events, strict=True):
        for seq, step in enumerate(case.steps, start=1):
            rec = records[i]
            i += 1
            actor = users.get(step.actor)
            met = None if step.stage_deadline is None else step.at <= step.stage_deadline
            out.append((event.pk, seq, step.action, step.from_state, step.to_state,
                        actor.pk if actor else None, step.department_id, rec.pk, step.at,
                        event.area_code, step.stage_deadline, met))
    return out


def _insert(model, columns, rows) -> None:
    """``executemany`` of one INSERT (the ORM's bulk_create compiles every value of every row,
    several times slower at this size); dates go through the model's fields, as on save."""
    fields = [model._meta.get_field(c[:-3] if c.endswith("_id") else c) for c in columns]
    dates = [i for i, f in enumerate(fields) if f.get_internal_type() == "DateTimeField"]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    prepared = []
    for row in rows:
        row = list(row)
        for i in dates:
            row[i] = fields[i].get_db_prep_save(row[i], connection)
        prepared.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def _requests(cases, events, users):
    out = []
    for case, event in zip(cases, events, strict=True):
        for r in case.requests:
            by, decider = users.get(r["requested_by"]), users.get(r.get("decided_by"))
            out.append(EventRequest(
                event_id=event.pk, kind=r["kind"], status=r.get("status", "pending"),
                days=r["days"], reason=r["reason"], requested_by=by,
                requested_at=r["requested_at"], from_state=r["from_state"],
                decided_by=decider, decided_at=r.get("decided_at"),
                decision_remark=r.get("decision_remark", "")))
    return out


def write_chunk(ctx, seed: int, indexes, users) -> int:
    """Generate and write the cases ``indexes`` in one transaction; the number written."""
    cases = [plan.simulate(ctx, seed, i) for i in indexes]
    if not cases:
        return 0
    with transaction.atomic():
        ids = _reserve_ids(len(cases))
        events = [_event(case, pk) for case, pk in zip(cases, ids, strict=True)]
        Event.objects.bulk_create(events, batch_size=BATCH)
        entries = [e for case, event in zip(cases, events, strict=True)
                   for e in _entries(case, event, users)]
        records = bulk.append(entries, new_chains=True)
        _insert(EventStep, STEP_COLUMNS, _steps(cases, events, records, users))
        EventRequest.objects.bulk_create(_requests(cases, events, users), batch_size=BATCH)
    return len(cases)
