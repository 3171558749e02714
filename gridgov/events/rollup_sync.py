"""Recount, check and rebuild the statistics rollup (``rollups.EventRollup``).

The triggers keep the rollup right on every write; these functions are for proving it
(``recount`` computes the same sums in Python from the events, independently of the SQL the
triggers and ``rebuild`` run) and for repairing it (``gridgov rollups check`` reports drift,
``gridgov rollups rebuild`` recomputes it from the events in one transaction, audited).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gridgov.audit.recorder import record

from .choices import State
from .models import Event, MinorCategory
from .rollups import DAY, MONTH, EventRollup

MEASURES = ("total", "due", "closed", "on_time", "hours_sum")
NOT_DUE = (State.NOT_FILED, State.VOID, State.MERGED)
# Float sums of hours collect rounding error as contributions come and go.
HOURS_TOLERANCE = 1e-6


def recount() -> dict[tuple, dict]:
    """The rollup the events call for, computed in Python row by row: {key: measures}
    (``key``: grain, day, area code (day rows: the community, month rows: the street),
    major id, source)."""
    majors = dict(MinorCategory.objects.values_list("pk", "major_id"))
    zone = ZoneInfo(settings.TIME_ZONE)
    out: dict[tuple, dict] = {}
    rows = Event.objects.values_list("created_at", "area_code", "category_id", "source",
                                     "state", "closed_at", "handle_deadline")
    for created, area, category, source, state, closed_at, deadline in rows.iterator(
            chunk_size=5000):
        day = timezone.localtime(created, zone).date()
        closed = state == State.CLOSED
        parts = {
            "total": 1, "due": int(state not in NOT_DUE), "closed": int(closed),
            "on_time": int(closed and closed_at is not None and deadline is not None
                           and closed_at <= deadline),
            "hours_sum": ((closed_at - created).total_seconds() / 3600
                          if closed and closed_at else 0.0),
        }
        for grain, start in ((DAY, day), (MONTH, day.replace(day=1))):
            key = (grain, start, area[:12] if grain == DAY else area[:9],
                   majors.get(category, 0) or 0, source)
            sums = out.setdefault(key, dict.fromkeys(MEASURES, 0))
            for name, value in parts.items():
                sums[name] += value
    return out


def stored() -> dict[tuple, dict]:
    """The rollup as stored, without rows that sum to nothing."""
    out = {}
    for row in EventRollup.objects.values("grain", "day", "area_code", "major_id", "source",
                                          *MEASURES).iterator(chunk_size=5000):
        if not any(row[m] for m in MEASURES[:-1]) and abs(row["hours_sum"]) < HOURS_TOLERANCE:
            continue
        day = row["day"]
        if isinstance(day, str):  # pragma: no cover - backends returning text
            day = dt.date.fromisoformat(day)
        out[(row["grain"], day, row["area_code"], row["major_id"], row["source"])] = {
            m: row[m] for m in MEASURES}
    return out


def drift(expected: dict | None = None, actual: dict | None = None) -> list[tuple]:
    """Keys where the stored rollup differs from the recount: (key, expected, stored)."""
    expected = recount() if expected is None else expected
    actual = stored() if actual is None else actual
    zero = dict.fromkeys(MEASURES, 0)
    out = []
    for key in sorted(set(expected) | set(actual), key=repr):
        want, have = expected.get(key, zero), actual.get(key, zero)
        if any(want[m] != have[m] for m in MEASURES[:-1]) or abs(
                want["hours_sum"] - have["hours_sum"]) > HOURS_TOLERANCE * max(
                1.0, abs(want["hours_sum"])):
            out.append((key, want, have))
    return out


def _rebuild_sql(vendor: str) -> list[str]:
    insert = ("INSERT INTO events_eventrollup "
              "(grain, day, area_code, major_id, source, total, due, closed, on_time, "
              "hours_sum) ")
    not_due = "('not_filed', 'void', 'merged')"
    out = ["DELETE FROM events_eventrollup"]
    if vendor == "postgresql":
        local = "(e.created_at AT TIME ZONE %s)::date"
        for grain, day in ((DAY, local), (MONTH, f"date_trunc('month', {local})::date")):
            out.append(
                f"{insert} SELECT '{grain}', {day}, "
                f"substr(e.area_code, 1, {12 if grain == DAY else 9}), "
                f"COALESCE(c.major_id, 0), e.source, count(*), "
                f"count(*) FILTER (WHERE e.state NOT IN {not_due}), "
                f"count(*) FILTER (WHERE e.state = 'closed'), "
                f"count(*) FILTER (WHERE e.state = 'closed' "
                f"AND e.closed_at <= e.handle_deadline), "
                f"COALESCE(sum(EXTRACT(EPOCH FROM (e.closed_at - e.created_at)) / 3600.0) "
                f"FILTER (WHERE e.state = 'closed'), 0) "
                f"FROM events_event e LEFT JOIN events_minorcategory c "
                f"ON c.id = e.category_id GROUP BY 2, 3, 4, 5")
        return out
    zone = ZoneInfo(settings.TIME_ZONE)
    offset = f"{int(dt.datetime.now(zone).utcoffset().total_seconds()):+d} seconds"
    for grain, day in ((DAY, f"date(e.created_at, '{offset}')"),
                       (MONTH, f"date(e.created_at, '{offset}', 'start of month')")):
        out.append(
            f"{insert} SELECT '{grain}', {day}, "
            f"substr(e.area_code, 1, {12 if grain == DAY else 9}), "
            f"COALESCE(c.major_id, 0), e.source, count(*), sum(e.state NOT IN {not_due}), "
            f"sum(e.state = 'closed'), "
            f"sum(COALESCE(e.state = 'closed' AND e.closed_at <= e.handle_deadline, 0)), "
            f"COALESCE(sum(CASE WHEN e.state = 'closed' THEN "
            f"round((julianday(e.closed_at) - julianday(e.created_at)) * 86400.0, 3) "
                f"/ 3600.0 END), 0) "
            f"FROM events_event e LEFT JOIN events_minorcategory c ON c.id = e.category_id "
            f"GROUP BY 2, 3, 4, 5")
    return out


def rebuild_rows(schema_editor_connection=None) -> int:
    """Recompute the whole rollup from the events (inside the caller's transaction);
    returns the number of rows."""
    conn = schema_editor_connection or connection
    with conn.cursor() as cursor:
        for sql in _rebuild_sql(conn.vendor):
            params = [settings.TIME_ZONE] if "%s" in sql else None
            cursor.execute(sql, params)
        cursor.execute("SELECT count(*) FROM events_eventrollup")
        return cursor.fetchone()[0]


def rebuild_rollups(*, actor=None) -> dict:
    """Rebuild the rollup from the events in one transaction (the table locked against
    concurrent writers on PostgreSQL), audited with the drift it repaired. Idempotent: a
    second run finds no drift and writes the same rows."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Writers to events wait (their triggers write here) until the rebuild ends.
                cursor.execute("LOCK TABLE events_eventrollup IN EXCLUSIVE MODE")
        repaired = len(drift())
        rows = rebuild_rows()
        record("events.rebuild_rollups", actor=actor, object_type="events.eventrollup",
               object_id="all", object_repr="事件统计汇总",
               changes={"drift_keys": [None, repaired], "rows": [None, rows]})
    return {"rows": rows, "repaired": repaired}
