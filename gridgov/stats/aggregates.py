"""The figures, computed in the database: one GROUP BY query per figure, whatever the data.

Every query starts from ``Event.objects.restrict(user, "view")`` (``StatsQuery.events``), so
a street leader's figures hold only the street's events. A figure's three periods (current,
previous, same period last year) come from ONE query with conditional aggregation over the
three ``created_at`` ranges (each an index range), not one query per period.

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
    Floor,
    Lower,
    Replace,
    Substr,
    TruncDate,
)
from django.utils import timezone

from gridgov.events import deadlines
from gridgov.events.choices import State
from gridgov.events.models import Event

from .periods import Period, local_zone

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
        return Figures(**{m: getattr(self, m) + getattr(other, m) for m in MEASURES},
                       hours_sum=self.hours_sum + other.hours_sum)

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
        return {"cur": self.period, "prev": self.period.previous(),
                "ya": self.period.year_ago()}

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
        ranges = self.ranges()
        distinct = []
        for period in ranges.values():
            if period.bounds() not in distinct:
                distinct.append(period.bounds())
        if any(a[0] < b[1] and b[0] < a[1] for a, b in itertools.combinations(distinct, 2)):
            where, aggregates = self._compared_aggregates()
            rows = qs.filter(where).values(*fields).annotate(**aggregates).order_by()
            return [(row, _compared(row, "", "")) for row in rows]
        slot_q = [Q(created_at__gte=start, created_at__lt=end) for start, end in distinct]
        slot = Case(*[When(q, then=Value(i)) for i, q in enumerate(slot_q)],
                    output_field=IntegerField())
        rows = (qs.filter(functools.reduce(operator.or_, slot_q)).annotate(_slot=slot)
                .values(*fields, "_slot").annotate(**measures("", Q(), self.now)).order_by())
        groups: dict[tuple, tuple[dict, dict]] = {}
        for row in rows:
            first, by_slot = groups.setdefault(tuple(row[f] for f in fields), (row, {}))
            by_slot[row["_slot"]] = Figures.from_row(row, "")
        index = {name: distinct.index(period.bounds()) for name, period in ranges.items()}
        return [(first, Compared(**{name: by_slot.get(i, Figures())
                                    for name, i in index.items()}))
                for first, by_slot in groups.values()]

    # --- figures --------------------------------------------------------------------------

    def summary(self) -> Compared:
        """The whole area's figures in the three periods (one query)."""
        total = Compared()
        for _row, part in self.grouped(self.events()):
            total.add(part)
        return total

    def breakdown(self, dimension) -> list[Compared]:
        """The figures per value of a ``dimensions.Dimension`` in the three periods (one
        query; area names one more), most reported first."""
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
