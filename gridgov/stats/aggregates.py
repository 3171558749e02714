"""The figures, computed in the database: one GROUP BY query per figure, whatever the data.

Every query starts from ``Event.objects.restrict(user, "view")`` (``StatsQuery.events``), so
a street leader's figures hold only the street's events. A figure's three periods (current,
previous, same period last year) come from ONE query with conditional aggregation over the
three ``created_at`` ranges (each an index range), not one query per period.

Where the rollup answers exactly (``stats.rollup``: an area inside the person's scope, down
to the community; dimensions it holds), the summary, the breakdowns by area, source, class
and platform, the dashboard's cube and the trend read the rollup instead (``rolled_rows``),
with overdue-now counted live from the open events in the same statement; the same numbers
(``tests/test_rollup.py``).

The measures of a set of events (REFERENCE §7, for the statistics):

- ``total`` 上报数: events reported in the period;
- ``due`` 应结案数: those that must be closed, i.e. all but 不予立案, 作废 and 已合并;
- ``closed`` 结案数: closed (state 已结案), ``closed_rate`` = closed / due;
- ``on_time`` 按期结案数: closed no later than the handling deadline
  (``closed_at <= handle_deadline``), ``on_time_rate`` = on_time / due;
- ``hours`` 平均办结时长: mean hours from report to closure over the closed events;
- ``overdue`` 超期未办结: open now and past the deadline of the running stage.
"""

import datetime as dt
import functools
import itertools
import operator
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    Floor,
    Lower,
    Replace,
    Substr,
    TruncDate,
)
from django.utils import timezone

from gridgov.events import deadlines
from gridgov.events.choices import State
from gridgov.events.models import Event, MajorCategory

from . import rollup
from .periods import MONTH, Period, local_zone

NOT_DUE = (State.NOT_FILED, State.VOID, State.MERGED)
MEASURES = ("total", "due", "closed", "on_time", "overdue")
PERIODS = ("cur", "prev", "ya")
# Repeated places: at least this many reports, at one address or within one ~50 m cell.
REPEAT_MIN = 3
CELL_LAT = 0.00045  # ≈ 50 m of latitude
CELL_LNG = 0.00055  # ≈ 50 m of longitude at Ningbo's latitude (29.9°N)


def period_q(period: Period) -> Q:
    start, end = period.bounds()
    return Q(created_at__gte=start, created_at__lt=end)


class HoursSince(Func):
    """``HoursSince(later, earlier)``: hours between two datetime columns, as a float, in the
    database's own arithmetic (SQLite's ``julianday``, PostgreSQL's epoch): Django's portable
    duration goes through a Python function per row on SQLite, several times slower."""

    arity = 2
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="((julianday(%(expressions)s)) * 24.0)",
                           arg_joiner=") - julianday(", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)",
                           arg_joiner=" - ", **extra)

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor in ("sqlite", "postgresql"):
            return super().as_sql(compiler, connection, **extra)
        duration = ExpressionWrapper(self.source_expressions[0] - self.source_expressions[1],
                                     output_field=DurationField())
        return compiler.compile(duration)


class LocalDate(Func):
    """The local (``TIME_ZONE``) date of a datetime column, for rows of one ``period``.

    ``TruncDate`` in the zone everywhere (native on PostgreSQL), except on SQLite, where it
    calls a Python function per row: there, when the zone keeps one UTC offset over the
    period (Asia/Shanghai always does), SQLite's own ``date(column, '+N seconds')``.
    """

    output_field = DateField()

    def __init__(self, column: str, period: Period):
        start, end = period.bounds()
        self.offset = start.utcoffset() if start.utcoffset() == end.utcoffset() else None
        super().__init__(F(column))

    def as_sql(self, compiler, connection, **extra):
        return compiler.compile(TruncDate(self.source_expressions[0], tzinfo=local_zone()))

    def as_sqlite(self, compiler, connection, **extra):
        if self.offset is None:
            return self.as_sql(compiler, connection, **extra)
        column, params = compiler.compile(self.source_expressions[0])
        return f"date({column}, %s)", (*params, f"{int(self.offset.total_seconds()):+d} seconds")


def _duration():
    return HoursSince(F("closed_at"), F("created_at"))


def measures(prefix: str, where: Q, now) -> dict:
    """The aggregate expressions of every measure over the rows matching ``where``."""
    closed = where & Q(state=State.CLOSED)
    return {
        f"{prefix}total": Count("id", filter=where),
        f"{prefix}due": Count("id", filter=where & ~Q(state__in=NOT_DUE)),
        f"{prefix}closed": Count("id", filter=closed),
        f"{prefix}on_time": Count("id", filter=closed & Q(closed_at__lte=F("handle_deadline"))),
        f"{prefix}overdue": Count("id", filter=where & deadlines.overdue_q(now)),
        # A sum, not an average: figures of parts add up (the dashboard sums its cube).
        f"{prefix}hours_sum": Sum(_duration(), filter=closed),
    }


def _hours(value) -> float | None:
    if value is None:
        return None
    if hasattr(value, "total_seconds"):  # a backend without HoursSince: a duration
        return value.total_seconds() / 3600
    return float(value)


def _rate(part, whole) -> float | None:
    return round(part * 100 / whole, 2) if whole else None


@dataclass
class Figures:
    """The measures of one set of events in one period, with the rates."""

    total: int = 0
    due: int = 0
    closed: int = 0
    on_time: int = 0
    overdue: int = 0
    hours_sum: float = 0.0

    @property
    def hours(self) -> float | None:
        """Mean hours from report to closure of the closed events."""
        return self.hours_sum / self.closed if self.closed else None

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(self.total + other.total, self.due + other.due,
                       self.closed + other.closed, self.on_time + other.on_time,
                       self.overdue + other.overdue, self.hours_sum + other.hours_sum)

    @property
    def closed_rate(self):
        return _rate(self.closed, self.due)

    @property
    def on_time_rate(self):
        return _rate(self.on_time, self.due)

    @property
    def hours_display(self):
        return None if self.hours is None else round(self.hours, 1)

    @classmethod
    def from_row(cls, row: dict, prefix: str) -> "Figures":
        return cls(**{m: row.get(prefix + m) or 0 for m in MEASURES},
                   hours_sum=_hours(row.get(prefix + "hours_sum")) or 0.0)


def change(current, before) -> float | None:
    """The change in percent of ``current`` against ``before`` (None when there was none)."""
    if current is None or before in (None, 0):
        return None
    return round((current - before) * 100 / before, 1)


@dataclass
class Compared:
    """A set of events in the period, the previous period and the same period last year."""

    key: str = ""
    label: str = ""
    cur: Figures = field(default_factory=Figures)
    prev: Figures = field(default_factory=Figures)
    ya: Figures = field(default_factory=Figures)

    def add(self, other: "Compared") -> None:
        self.cur, self.prev, self.ya = (self.cur + other.cur, self.prev + other.prev,
                                        self.ya + other.ya)

    def vs_prev(self):
        return change(self.cur.total, self.prev.total)

    def vs_year(self):
        return change(self.cur.total, self.ya.total)


@dataclass
class StatsQuery:
    """Who asks, about which area (a code prefix, "" = all in scope) and which period."""

    user: object
    area: str
    period: Period
    now: object = None

    def __post_init__(self):
        self.now = self.now or timezone.now()

    def events(self):
        """The events this person may see, inside the chosen area."""
        qs = Event.objects.restrict(self.user, "view")
        return qs.filter(area_code__startswith=self.area) if self.area else qs

    def ranges(self) -> dict[str, Period]:
        # A period still running compares with the same elapsed part of the others, as of
        # the query's own ``now`` (not the wall clock: tests and reports pin it).
        today = timezone.localdate(self.now, local_zone())
        return {"cur": self.period, "prev": self.period.previous(today),
                "ya": self.period.year_ago(today)}

    def _compared_aggregates(self) -> tuple[Q, dict]:
        where = Q()
        aggregates = {}
        for prefix, period in self.ranges().items():
            q = period_q(period)
            where |= q
            aggregates.update(measures(prefix + "_", q, self.now))
        return where, aggregates

    def grouped(self, qs, fields: tuple = ()) -> list[tuple[dict, "Compared"]]:
        """The three periods' figures of ``qs`` grouped by ``fields`` (one query).

        The rows are grouped by which period they fall in as well (a ``CASE`` over the
        distinct ranges: a year's previous period IS the same period last year), so each
        row computes the measures once. Ranges that partly overlap (a custom range longer
        than a year and its year-ago range) take conditional aggregation instead.
        """
        distinct = self._distinct()
        if distinct is None:
            where, aggregates = self._compared_aggregates()
            rows = qs.filter(where).values(*fields).annotate(**aggregates).order_by()
            return [(row, _compared(row, "", "")) for row in rows]
        slot_q, slot = _slots(distinct)
        rows = (qs.filter(functools.reduce(operator.or_, slot_q)).annotate(_slot=slot)
                .values(*fields, "_slot").annotate(**measures("", Q(), self.now)).order_by())
        groups: dict[tuple, tuple[dict, dict]] = {}
        for row in rows:
            first, by_slot = groups.setdefault(tuple(row[f] for f in fields), (row, {}))
            by_slot[row["_slot"]] = Figures.from_row(row, "")
        return self._compare(groups, distinct)

    def _distinct(self) -> list[Period] | None:
        """The three periods without repeats (a year's previous period IS the same period
        last year), or None when two of them partly overlap (a custom range longer than a
        year and its year-ago range)."""
        distinct = []
        for period in self.ranges().values():
            if period.bounds() not in [p.bounds() for p in distinct]:
                distinct.append(period)
        bounds = [p.bounds() for p in distinct]
        if any(a[0] < b[1] and b[0] < a[1] for a, b in itertools.combinations(bounds, 2)):
            return None
        return distinct

    def _compare(self, groups: dict, distinct: list[Period]) -> list[tuple[dict, Compared]]:
        index = {name: [p.bounds() for p in distinct].index(period.bounds())
                 for name, period in self.ranges().items()}
        return [(first, Compared(**{name: by_slot.get(i, Figures())
                                    for name, i in index.items()}))
                for first, by_slot in groups.values()]

    # --- from the rollup ------------------------------------------------------------------

    def from_rollup(self) -> bool:
        """Whether the rollup answers this query exactly (``stats.rollup.answers``)."""
        return rollup.answers(self.user, self.area)

    def rolled_rows(self, fields: dict, event_fields: dict, *, fine: bool = False):
        """The rows of ``grouped`` from the rollup, not yet folded: the distinct periods and
        one query (``UNION ALL``) of the rollup's sums grouped by ``fields`` (name →
        expression over the rollup) and the period (``_slot``), and of the open overdue
        events grouped by ``event_fields`` (the same names over the events; overdue-now
        changes with the clock, so it is never in the rollup). ``fine``: grouped by
        community (day rows only). None when the rollup cannot answer (read the events)."""
        distinct = self._distinct()
        if distinct is None or not self.from_rollup():
            return None
        zero = {m: Value(0) for m in ("total", "due", "closed", "on_time")}
        sums = rollup.rows(self.area, [(p.start, p.end) for p in distinct], fields,
                           fine).annotate(overdue=Value(0))
        slot_q, slot = _slots(distinct)
        late = (self.events().filter(deadlines.overdue_q(self.now))
                .filter(functools.reduce(operator.or_, slot_q))
                .annotate(_slot=slot, **rollup.annotations(event_fields))
                .values(*event_fields, "_slot")
                .annotate(**zero, hours_sum=Value(0.0), overdue=Count("id")).order_by())
        return distinct, sums.union(late, all=True)

    def rolled(self, fields: dict, event_fields: dict, *, fine: bool = False
               ) -> list[tuple[dict, Compared]] | None:
        """``grouped`` from the rollup (``rolled_rows``, one query), or None."""
        found = self.rolled_rows(fields, event_fields, fine=fine)
        if found is None:
            return None
        distinct, rows = found
        groups: dict[tuple, tuple[dict, dict]] = {}
        for row in rows:
            first, by_slot = groups.setdefault(tuple(row[f] for f in fields), (row, {}))
            by_slot[row["_slot"]] = by_slot.get(row["_slot"], Figures()) + Figures.from_row(
                row, "")
        return self._compare(groups, distinct)

    def compare_sums(self, sums: dict, distinct: list[Period]) -> list[tuple[str, Compared]]:
        """(key, Compared) from {key: {slot: [total, due, closed, on_time, overdue,
        hours_sum]}} (sums folded by the caller)."""
        groups = {key: ({"_key": key}, {slot: Figures(*v) for slot, v in by_slot.items()})
                  for key, by_slot in sums.items()}
        return [(first["_key"], part) for first, part in self._compare(groups, distinct)]

    # --- figures --------------------------------------------------------------------------

    def summary(self) -> Compared:
        """The whole area's figures in the three periods (one query)."""
        total = Compared()
        parts = self.rolled({}, {})
        for _row, part in self.grouped(self.events()) if parts is None else parts:
            total.add(part)
        return total

    def breakdown(self, dimension) -> list[Compared]:
        """The figures per value of a ``dimensions.Dimension`` in the three periods (one
        query; area names one more), most reported first."""
        rolled = rollup_breakdown(self, dimension)
        if rolled is not None:
            return finish(dimension, rolled)
        qs = self.events().annotate(_key=dimension.expression())
        out = []
        for row, part in self.grouped(qs, ("_key", *dimension.label_fields)):
            part.key, part.label = row["_key"] or "", dimension.label_of(row)
            out.append(part)
        return finish(dimension, out)

    def breakdown_counts(self, dimension, limit: int) -> dict[str, int]:
        """Reports in the period per value of ``dimension``, the ``limit`` largest (one
        query: what the map colours by)."""
        rows = (self.events().filter(period_q(self.period))
                .annotate(_key=dimension.expression()).values("_key")
                .annotate(n=Count("id")).order_by("-n")[:limit])
        return {row["_key"]: row["n"] for row in rows}

    def trend(self) -> tuple[str, list[tuple[Period, Figures]]]:
        """Reported, closed and closed-on-time per day, week or month of the period (one
        query, grouped by local date; days fold into weeks or months here); empty buckets
        are zeros."""
        unit = self.period.trend_unit()
        if self.from_rollup():
            # Reported, closed and on time per day (or month) from the rollup; overdue now
            # is not on the chart and stays zero here.
            rows = [dict(row, _day=row["day"]) for row in rollup.daily(
                self.area, self.period.start, self.period.end, monthly=unit == MONTH)]
        else:
            rows = (self.events().filter(period_q(self.period))
                    .annotate(_day=LocalDate("created_at", self.period))
                    .values("_day").annotate(**measures("", Q(), self.now)).order_by())
        by_start: dict = {}
        for row in rows:
            day = row["_day"]
            if isinstance(day, str):
                day = dt.date.fromisoformat(day)
            start = Period.containing(unit, day).start
            by_start[start] = by_start.get(start, Figures()) + Figures.from_row(row, "")
        # A period still running ends today on the chart (no flat line into the future).
        today = timezone.localdate(self.now, local_zone())
        return unit, [(bucket, by_start.get(Period.containing(unit, bucket.start).start,
                                            Figures()))
                      for bucket in self.period.buckets(unit) if bucket.start <= today]

    def overdue(self, limit: int | None = 200, filters: dict | None = None):
        """Open events past the deadline of their running stage, the most overdue first
        (``filters``: field lookups narrowing them, e.g. one department)."""
        qs = (self.events().overdue(self.now).filter(**(filters or {}))
              .select_related("category", "category__major", "department", "grid")
              .order_by("stage_deadline", "id"))
        return qs[:limit] if limit else qs

    def hot_cells(self, limit: int = 500) -> list[dict]:
        """The busiest ~50 m cells of the map in the period (the heat layer): the mean
        point of each cell's reports and their number (one query)."""
        return list(self.events().filter(period_q(self.period))
                    .annotate(_y=Floor(F("lat") / CELL_LAT), _x=Floor(F("lng") / CELL_LNG))
                    .values("_y", "_x").annotate(n=Count("id"), lng=Avg("lng"), lat=Avg("lat"))
                    .order_by("-n", "_y", "_x")[:limit])

    def repeated_places(self, limit: int = 50) -> list[dict]:
        """Places reported at least ``REPEAT_MIN`` times in the period: one normalised
        address (lower case, no spaces), or one ~50 m cell of the map (two queries)."""
        qs = self.events().filter(period_q(self.period))
        normal = Replace(Replace(Lower("address"), Value(" "), Value("")), Value("\u3000"),
                         Value(""))
        by_address = (qs.exclude(address="").annotate(_place=normal).values("_place")
                      .annotate(n=Count("id"), address=Max("address"), lo=Min("area_code"),
                                hi=Max("area_code"), lng=Avg("lng"), lat=Avg("lat"))
                      .filter(n__gte=REPEAT_MIN).order_by("-n", "_place")[:limit])
        by_cell = (qs.annotate(_y=Floor(F("lat") / CELL_LAT), _x=Floor(F("lng") / CELL_LNG))
                   .values("_y", "_x")
                   .annotate(n=Count("id"), address=Max("address"), lo=Min("area_code"),
                             hi=Max("area_code"), lng=Avg("lng"), lat=Avg("lat"))
                   .filter(n__gte=REPEAT_MIN).order_by("-n", "_y", "_x")[:limit])
        out = [dict(row, basis="address") for row in by_address]
        out += [dict(row, basis="nearby") for row in by_cell]
        out.sort(key=lambda r: -r["n"])
        return out


def _slots(distinct: list[Period]) -> tuple[list[Q], Case]:
    """The ``created_at`` range of each period and the ``CASE`` naming which one a row is in."""
    slot_q = [period_q(p) for p in distinct]
    return slot_q, Case(*[When(q, then=Value(i)) for i, q in enumerate(slot_q)],
                        output_field=IntegerField())


def rollup_breakdown(query: StatsQuery, dimension) -> list[Compared] | None:
    """``breakdown`` from the rollup, for the dimensions it has (areas down to the community,
    source, major class and the platform of the major class); None otherwise."""
    if dimension.length:
        if dimension.length > 12:
            return None
        fields = {"_key": rollup.area_expression(dimension.length)}
        event_fields = {"_key": area_expression(dimension.length)}
    elif dimension.key == "source":
        fields, event_fields = {"_key": F("source")}, {"_key": F("source")}
    elif dimension.key in ("major", "platform"):
        fields = {"_key": F("major_id")}
        event_fields = {"_key": Coalesce(F("category__major_id"), 0)}
    else:
        return None
    parts = query.rolled(fields, event_fields, fine=dimension.length == 12)
    if parts is None:
        return None
    if dimension.key not in ("major", "platform"):
        out = []
        for row, part in parts:
            part.key = row["_key"] or ""
            part.label = dimension.label_of({"_key": part.key})
            out.append(part)
        return out
    # A class's code and name (or its platform's) from the catalog: one query.
    path = "" if dimension.key == "major" else "platform__"
    names = {pk: (code or "", name) for pk, code, name in MajorCategory.objects.values_list(
        "pk", f"{path}code", f"{path}name")}
    groups: dict[str, Compared] = {}
    for row, part in parts:
        code, name = names.get(row["_key"], ("", ""))
        if code not in groups:
            groups[code] = Compared(key=code, label=dimension.label_of(
                {"_key": code, dimension.name_field: name}))
        groups[code].add(part)
    return list(groups.values())


def finish(dimension, rows: list[Compared]) -> list[Compared]:
    """Named (area levels), without empty rows, most reported first."""
    dimension.fill_labels(rows)
    rows = [c for c in rows if c.cur.total or c.prev.total or c.ya.total]
    rows.sort(key=lambda c: (-c.cur.total, -c.prev.total, c.key))
    return rows


def _compared(row: dict, key: str, label: str) -> Compared:
    return Compared(key=key, label=label, **{p: Figures.from_row(row, p + "_") for p in PERIODS})


def common_prefix(a: str, b: str) -> str:
    """The longest area code both codes lie in (a code length: 15, 12, 9 or 6)."""
    for n in (15, 12, 9, 6):
        if a[:n] == b[:n]:
            return a[:n]
    return ""


def area_expression(length: int):
    return Substr("area_code", 1, length) if length < 15 else F("area_code")
