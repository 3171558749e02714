"""Database triggers that keep ``events_eventrollup`` (``gridgov.events.rollups``) right on
every write to events, below the application: an INSERT adds the event's contribution to its
day row and its month row, a DELETE takes it away, an UPDATE of a column the key or the
measures read moves it (when the key is unchanged, one upsert of the difference per row), and
moving a minor class to another major class moves all of its events.

Day rows are per community (12 digits), month rows per street (9 digits).

PostgreSQL: one PL/pgSQL function; when an update moves an event to another key, the two rows
of a grain are written in key order, so two such updates cannot deadlock on each other.
SQLite: the same sums as ``INSERT … ON CONFLICT DO UPDATE`` statements (SQLite writers are
serialised anyway).

The local day is the day in ``TIME_ZONE`` when this migration ran (PostgreSQL: ``AT TIME
ZONE``; SQLite: its fixed UTC offset, Asia/Shanghai has one). The SQL is written out here (not
imported) so that this migration never changes.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

COLUMNS = "created_at, area_code, category_id, source, state, closed_at, handle_deadline"
NOT_DUE = "('not_filed', 'void', 'merged')"
UPSERT = ("ON CONFLICT (grain, day, area_code, major_id, source) DO UPDATE SET "
          "total = events_eventrollup.total + excluded.total, "
          "due = events_eventrollup.due + excluded.due, "
          "closed = events_eventrollup.closed + excluded.closed, "
          "on_time = events_eventrollup.on_time + excluded.on_time, "
          "hours_sum = events_eventrollup.hours_sum + excluded.hours_sum")
INSERT = ("INSERT INTO events_eventrollup "
          "(grain, day, area_code, major_id, source, total, due, closed, on_time, hours_sum) ")

# --- PostgreSQL ---------------------------------------------------------------------------

PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION gridgov_rollup_add(g char, d date, a varchar, m integer,
        s varchar, n integer, du integer, c integer, o integer, h double precision)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF n = 0 AND du = 0 AND c = 0 AND o = 0 AND h = 0 THEN
        RETURN;
    END IF;
    {INSERT} VALUES (g, d, a, m, s, n, du, c, o, h)
    {UPSERT};
END;
$$;

CREATE OR REPLACE FUNCTION gridgov_rollup_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tz text := %(zone)s;
    od date; nd date; om date; nm date; oa varchar; na varchar;
    omj integer := 0; nmj integer := 0;
    odu integer := 0; oc integer := 0; ook integer := 0; oh double precision := 0;
    ndu integer := 0; nc integer := 0; nok integer := 0; nh double precision := 0;
    g char; ok date; nk date; oag varchar; nag varchar;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        od := (OLD.created_at AT TIME ZONE tz)::date;
        oa := substr(OLD.area_code, 1, 12);
        SELECT major_id INTO omj FROM events_minorcategory WHERE id = OLD.category_id;
        omj := COALESCE(omj, 0);
        odu := (OLD.state NOT IN {NOT_DUE})::int;
        oc := (OLD.state = 'closed')::int;
        ook := COALESCE(OLD.state = 'closed' AND OLD.closed_at <= OLD.handle_deadline,
                       false)::int;
        IF OLD.state = 'closed' THEN
            oh := COALESCE(EXTRACT(EPOCH FROM (OLD.closed_at - OLD.created_at)) / 3600.0, 0);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        nd := (NEW.created_at AT TIME ZONE tz)::date;
        na := substr(NEW.area_code, 1, 12);
        SELECT major_id INTO nmj FROM events_minorcategory WHERE id = NEW.category_id;
        nmj := COALESCE(nmj, 0);
        ndu := (NEW.state NOT IN {NOT_DUE})::int;
        nc := (NEW.state = 'closed')::int;
        nok := COALESCE(NEW.state = 'closed' AND NEW.closed_at <= NEW.handle_deadline,
                       false)::int;
        IF NEW.state = 'closed' THEN
            nh := COALESCE(EXTRACT(EPOCH FROM (NEW.closed_at - NEW.created_at)) / 3600.0, 0);
        END IF;
    END IF;
    FOREACH g IN ARRAY ARRAY['d', 'm'] LOOP
        -- Day rows per community, month rows per street.
        oag := CASE WHEN g = 'd' THEN oa ELSE substr(oa, 1, 9) END;
        nag := CASE WHEN g = 'd' THEN na ELSE substr(na, 1, 9) END;
        IF TG_OP = 'INSERT' THEN
            nk := CASE WHEN g = 'd' THEN nd ELSE date_trunc('month', nd)::date END;
            PERFORM gridgov_rollup_add(g, nk, nag, nmj, NEW.source, 1, ndu, nc, nok, nh);
        ELSIF TG_OP = 'DELETE' THEN
            ok := CASE WHEN g = 'd' THEN od ELSE date_trunc('month', od)::date END;
            PERFORM gridgov_rollup_add(g, ok, oag, omj, OLD.source, -1, -odu, -oc, -ook, -oh);
        ELSE
            ok := CASE WHEN g = 'd' THEN od ELSE date_trunc('month', od)::date END;
            nk := CASE WHEN g = 'd' THEN nd ELSE date_trunc('month', nd)::date END;
            IF (ok, oag, omj, OLD.source) = (nk, nag, nmj, NEW.source) THEN
                PERFORM gridgov_rollup_add(g, nk, nag, nmj, NEW.source, 0, ndu - odu,
                                           nc - oc, nok - ook, nh - oh);
            ELSIF (ok, oag, omj, OLD.source::text) < (nk, nag, nmj, NEW.source::text) THEN
                PERFORM gridgov_rollup_add(g, ok, oag, omj, OLD.source, -1, -odu, -oc, -ook,
                                           -oh);
                PERFORM gridgov_rollup_add(g, nk, nag, nmj, NEW.source, 1, ndu, nc, nok, nh);
            ELSE
                PERFORM gridgov_rollup_add(g, nk, nag, nmj, NEW.source, 1, ndu, nc, nok, nh);
                PERFORM gridgov_rollup_add(g, ok, oag, omj, OLD.source, -1, -odu, -oc, -ook,
                                           -oh);
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION gridgov_rollup_reclass() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tz text := %(zone)s;
BEGIN
    {INSERT}
    SELECT g.grain, CASE WHEN g.grain = 'd' THEN (e.created_at AT TIME ZONE tz)::date
                         ELSE date_trunc('month', (e.created_at AT TIME ZONE tz)::date)::date
                    END AS k,
           substr(e.area_code, 1, CASE WHEN g.grain = 'd' THEN 12 ELSE 9 END) AS a,
           x.major, e.source,
           x.sign * count(*),
           x.sign * count(*) FILTER (WHERE e.state NOT IN {NOT_DUE}),
           x.sign * count(*) FILTER (WHERE e.state = 'closed'),
           x.sign * count(*) FILTER (WHERE e.state = 'closed'
                                     AND e.closed_at <= e.handle_deadline),
           x.sign * COALESCE(sum(EXTRACT(EPOCH FROM (e.closed_at - e.created_at)) / 3600.0)
                             FILTER (WHERE e.state = 'closed'), 0)
    FROM events_event e
    CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
    CROSS JOIN (VALUES (OLD.major_id, -1), (NEW.major_id, 1)) AS x(major, sign)
    WHERE e.category_id = NEW.id
    GROUP BY g.grain, k, a, x.major, x.sign, e.source
    ORDER BY g.grain, k, a, x.major, e.source
    {UPSERT};
    RETURN NULL;
END;
$$;
"""
PG_FORWARD = [
    PG_FUNCTIONS,
    "CREATE TRIGGER events_rollup_insert AFTER INSERT ON events_event "
    "FOR EACH ROW EXECUTE FUNCTION gridgov_rollup_event();",
    "CREATE TRIGGER events_rollup_delete AFTER DELETE ON events_event "
    "FOR EACH ROW EXECUTE FUNCTION gridgov_rollup_event();",
    f"CREATE TRIGGER events_rollup_update AFTER UPDATE OF {COLUMNS} ON events_event "
    "FOR EACH ROW WHEN (" + " OR ".join(
        f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COLUMNS.split(", "))
    + ") EXECUTE FUNCTION gridgov_rollup_event();",
    "CREATE TRIGGER events_rollup_reclass AFTER UPDATE OF major_id ON events_minorcategory "
    "FOR EACH ROW WHEN (OLD.major_id IS DISTINCT FROM NEW.major_id) "
    "EXECUTE FUNCTION gridgov_rollup_reclass();",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS events_rollup_reclass ON events_minorcategory;",
    "DROP TRIGGER IF EXISTS events_rollup_update ON events_event;",
    "DROP TRIGGER IF EXISTS events_rollup_delete ON events_event;",
    "DROP TRIGGER IF EXISTS events_rollup_insert ON events_event;",
    "DROP FUNCTION IF EXISTS gridgov_rollup_reclass();",
    "DROP FUNCTION IF EXISTS gridgov_rollup_event();",
    "DROP FUNCTION IF EXISTS gridgov_rollup_add(char, date, varchar, integer, varchar, "
    "integer, integer, integer, integer, double precision);",
]

# --- SQLite -------------------------------------------------------------------------------


def _sqlite_values(row: str, grain: str, sign: int, offset: str) -> str:
    """The VALUES of one event row's (``NEW`` or ``OLD``) contribution to one grain."""
    day = f"date({row}.created_at, '{offset}'" + (", 'start of month')" if grain == "m"
                                                   else ")")
    closed = f"{row}.state = 'closed'"
    return (
        f"VALUES ('{grain}', {day}, substr({row}.area_code, 1, {12 if grain == 'd' else 9}), "
        f"COALESCE((SELECT major_id FROM events_minorcategory WHERE id = {row}.category_id),"
        f" 0), {row}.source, {sign}, {sign} * ({row}.state NOT IN {NOT_DUE}), "
        f"{sign} * ({closed}), "
        f"{sign} * COALESCE({closed} AND {row}.closed_at <= {row}.handle_deadline, 0), "
        f"{sign} * CASE WHEN {closed} THEN COALESCE(round((julianday({row}.closed_at) "
        f"- julianday({row}.created_at)) * 86400.0, 3) / 3600.0, 0) ELSE 0 END) "
    )


def _sqlite_statements(row: str, sign: int, offset: str) -> str:
    return "".join(f"{INSERT}{_sqlite_values(row, g, sign, offset)}{UPSERT}; "
                   for g in ("d", "m"))


def _sqlite_reclass(offset: str) -> str:
    parts = []
    for grain in ("d", "m"):
        day = (f"date(e.created_at, '{offset}'" + (", 'start of month')" if grain == "m"
                                                    else ")"))
        for major, sign in (("OLD.major_id", -1), ("NEW.major_id", 1)):
            parts.append(
                f"{INSERT} SELECT '{grain}', {day}, "
                f"substr(e.area_code, 1, {12 if grain == 'd' else 9}), {major}, "
                f"e.source, {sign} * count(*), {sign} * sum(e.state NOT IN {NOT_DUE}), "
                f"{sign} * sum(e.state = 'closed'), "
                f"{sign} * sum(COALESCE(e.state = 'closed' "
                f"AND e.closed_at <= e.handle_deadline, 0)), "
                f"{sign} * COALESCE(sum(CASE WHEN e.state = 'closed' THEN "
                f"round((julianday(e.closed_at) - julianday(e.created_at)) * 86400.0, 3) "
                f"/ 3600.0 END), 0) "
                f"FROM events_event e WHERE e.category_id = NEW.id "
                f"GROUP BY 2, 3, 5 {UPSERT}; ")
    return "".join(parts)


def sqlite_forward(offset: str) -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS.split(", "))
    return [
        "CREATE TRIGGER events_rollup_insert AFTER INSERT ON events_event BEGIN "
        + _sqlite_statements("NEW", 1, offset) + "END;",
        "CREATE TRIGGER events_rollup_delete AFTER DELETE ON events_event BEGIN "
        + _sqlite_statements("OLD", -1, offset) + "END;",
        f"CREATE TRIGGER events_rollup_update AFTER UPDATE OF {COLUMNS} ON events_event "
        f"WHEN {changed} BEGIN "
        + _sqlite_statements("OLD", -1, offset) + _sqlite_statements("NEW", 1, offset)
        + "END;",
        "CREATE TRIGGER events_rollup_reclass AFTER UPDATE OF major_id ON events_minorcategory "
        "WHEN OLD.major_id IS NOT NEW.major_id BEGIN " + _sqlite_reclass(offset) + "END;",
    ]


SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS events_rollup_{name};"
                   for name in ("reclass", "update", "delete", "insert")]


def _offset() -> str:
    zone = ZoneInfo(settings.TIME_ZONE)
    seconds = int(dt.datetime.now(zone).utcoffset().total_seconds())
    return f"{seconds:+d} seconds"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in PG_FORWARD:
            if "%(zone)s" in sql:
                sql = sql.replace("%(zone)s", schema_editor.quote_value(settings.TIME_ZONE))
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for sql in sqlite_forward(_offset()):
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("events", "0014_eventrollup")]

    operations = [migrations.RunPython(forward, backward)]
