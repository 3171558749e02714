"""The figures of every subject of one kind in one period: one GROUP BY query.

Two sources give the same columns: ``LiveSource`` (events as they stand at ``as_of``, read
through ``Event.objects.restrict(user, "view")``, accepted appeals applied) and
``FrozenSource`` (a snapshot's stored cases, inside the person's areas or department). The
figures are counts of case conditions (``indicators``), summed hours, the rates over them
and the weighted score of a scheme.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from gridgov.accounts.models import Department, User
from gridgov.areas.models import Area
from gridgov.events.choices import Source
from gridgov.events.models import Event

from . import indicators as ind
from .choices import AREA_CODE_LENGTH, Direction, SubjectKind
from .models import SnapshotCase

HOURS = ("accept_hours", "handle_hours")


def key_expression(kind: str, *, reporter_field: str):
    if kind == SubjectKind.DEPARTMENT:
        return F("department_id")
    if kind == SubjectKind.WORKER:
        return F(reporter_field)
    n = AREA_CODE_LENGTH[kind]
    return F("area_code") if n == 15 else Substr("area_code", 1, n)


class LiveSource:
    """Events reported in ``period`` as they stand at ``as_of`` (``user=None``: all)."""

    frozen = False
    reporter_field = "reporter_user_id"

    def __init__(self, user, period, as_of=None):
        self.user, self.period = user, period
        self.as_of = as_of or timezone.now()

    def base(self, kind: str):
        qs = Event.objects.all() if self.user is None else Event.objects.restrict(self.user,
                                                                                  "view")
        start, end = self.period.bounds()
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
        if kind == SubjectKind.DEPARTMENT:
            qs = qs.filter(department__isnull=False)
        elif kind == SubjectKind.WORKER:
            qs = qs.filter(source=Source.GRID_PATROL, reporter_user__isnull=False)
        return qs

    def conditions(self) -> dict[str, Q]:
        return ind.case_conditions(self.as_of)

    def hours(self) -> dict:
        return ind.hours_expressions()

    def subject_filter(self, kind, key) -> Q:
        if kind == SubjectKind.DEPARTMENT:
            return Q(department_id=int(key))
        if kind == SubjectKind.WORKER:
            return Q(reporter_user_id=int(key))
        return Q(area_code__startswith=key)


class FrozenSource(LiveSource):
    """The stored cases of a snapshot (the person's areas or department only)."""

    frozen = True
    reporter_field = "reporter_id"

    def __init__(self, user, snapshot):
        from gridgov.stats.periods import Period

        self.user, self.snapshot = user, snapshot
        self.period = Period(snapshot.period_kind, snapshot.period_start, snapshot.period_end)
        self.as_of = snapshot.as_of

    def base(self, kind: str):
        qs = SnapshotCase.objects.filter(snapshot=self.snapshot)
        if self.user is not None:
            qs = qs.restrict(self.user, "view")
        if kind == SubjectKind.DEPARTMENT:
            qs = qs.filter(department_id__isnull=False)
        elif kind == SubjectKind.WORKER:
            qs = qs.filter(reporter_id__isnull=False)
        return qs

    def conditions(self) -> dict[str, Q]:
        return {code: Q(**{code: True}) for code in ind.COUNT_CODES}

    def hours(self) -> dict:
        return {name: F(name) for name in HOURS}

    def subject_filter(self, kind, key) -> Q:
        if kind == SubjectKind.WORKER:
            return Q(reporter_id=int(key))
        return super().subject_filter(kind, key)


@dataclass
class Result:
    """One subject's figures: counts, hours, rates, workload and the weighted score."""

    kind: str
    key: str
    label: str = ""
    counts: dict = field(default_factory=dict)
    hours: dict = field(default_factory=dict)  # name → (sum, n)
    workload: dict = field(default_factory=dict)
    score: float | None = None
    parts: list = field(default_factory=list)
    rank: int | None = None

    def rate(self, code):
        return ind.rate(self.counts, code)

    def rates(self) -> dict:
        """The case rates, and the party rates when the subject has party figures."""
        out = {code: ind.percent(self.rate(code)) for code in ind.CASE_RATE_CODES}
        for code in ind.PARTY_RATE_CODES:
            if ind.CATALOG[code].denominator in self.counts:
                out[code] = ind.percent(self.rate(code))
        return out

    def mean_hours(self, name) -> float | None:
        total, n = self.hours.get(name, (0, 0))
        return round(total / n, 2) if n else None

    def value(self, code):
        """The displayed value of any indicator (rates in percent)."""
        indicator = ind.CATALOG[code]
        if indicator.kind == "rate":
            return ind.percent(self.rate(code))
        if indicator.kind == "time":
            return self.mean_hours(code)
        if code in self.workload:
            return self.workload[code]
        return self.counts.get(code, 0)

    def figures(self) -> dict:
        """Everything as JSON (what a snapshot stores per subject)."""
        return {"counts": self.counts, "hours": {k: list(v) for k, v in self.hours.items()},
                "workload": self.workload, "rates": self.rates(), "parts": self.parts}


def aggregates(source) -> dict:
    out = {code: Count("id", filter=q) for code, q in source.conditions().items()}
    for name, expr in source.hours().items():
        out[f"{name}__sum"] = Sum(expr)
        out[f"{name}__n"] = Count(expr)
    return out


def grouped(source, kind: str) -> dict[str, Result]:
    """Every subject of ``kind`` with cases in the source: one GROUP BY query."""
    rows = (source.base(kind)
            .annotate(_key=key_expression(kind, reporter_field=source.reporter_field))
            .values("_key").annotate(**aggregates(source)).order_by())
    out = {}
    for row in rows:
        key = str(row["_key"])
        out[key] = Result(kind, key, counts={c: row[c] or 0 for c in ind.COUNT_CODES},
                          hours={h: (float(row[f"{h}__sum"] or 0), row[f"{h}__n"] or 0)
                                 for h in HOURS})
    return out


def one(source, kind: str, key: str) -> Result:
    """The figures of one subject (one query)."""
    row = (source.base(kind).filter(source.subject_filter(kind, key))
           .aggregate(**aggregates(source)))
    return Result(kind, key, counts={c: row[c] or 0 for c in ind.COUNT_CODES},
                  hours={h: (float(row[f"{h}__sum"] or 0), row[f"{h}__n"] or 0) for h in HOURS})


def labels(kind: str, keys) -> dict[str, str]:
    """Names of the subjects (one query)."""
    keys = [k for k in keys if k not in (None, "", "None")]
    if not keys:
        return {}
    if kind == SubjectKind.DEPARTMENT:
        return {str(pk): name for pk, name in
                Department.objects.filter(pk__in=keys).values_list("pk", "name")}
    if kind == SubjectKind.WORKER:
        return {str(pk): real or user for pk, real, user in
                User.objects.filter(pk__in=keys).values_list("pk", "real_name", "username")}
    return dict(Area.objects.filter(code__in=keys).order_by("code", "-valid_from")
                .values_list("code", "name"))


def workload(source, keys) -> dict[str, dict]:
    """Grid workers' recorded work in the period besides reporting: verifications done,
    basic-data records collected, hours and kilometres patrolled (a few grouped queries, live
    sources only)."""
    from gridgov.basedata.models import Building, Component, House, Organisation, Person
    from gridgov.events.models import EventStep

    out = {k: {"verifications": 0, "collected": 0} for k in keys}
    if not keys:
        return out
    ids = [int(k) for k in keys]
    start, end = source.period.bounds()
    steps = EventStep.objects.filter(action="verify", at__gte=start, at__lt=end,
                                     actor_id__in=ids)
    if source.user is not None:
        steps = steps.restrict(source.user, "view")
    for row in steps.values("actor_id").annotate(n=Count("id")).order_by():
        out[str(row["actor_id"])]["verifications"] = row["n"]
    for model in (Person, House, Building, Organisation, Component):
        rows = (model.objects.filter(collected_by_id__in=ids, created_at__gte=start,
                                     created_at__lt=end)
                .values("collected_by_id").annotate(n=Count("id")).order_by())
        for row in rows:
            out[str(row["collected_by_id"])]["collected"] += row["n"]
    # 巡查时长 / 巡查里程 (gridgov.patrols): one grouped query.
    for key, figures in ind.patrol_workload(keys, source.period).items():
        out[key].update(figures)
    return out


def score(items: list[dict], result: Result) -> tuple[float | None, list]:
    """The weighted score: Σ weight × rate (or 1 − rate). A rate without cases (denominator
    0) is left out and the others are scaled up to the full weight; no rate at all: None."""
    parts, got, weight_used = [], 0.0, 0.0
    total = sum(float(i["weight"]) for i in items)
    for item in items:
        value = result.rate(item["indicator"])
        weight = float(item["weight"])
        part = None
        if value is not None:
            factor = value if item["direction"] == Direction.RATE else 1 - value
            part = weight * factor
            got += part
            weight_used += weight
        parts.append({"indicator": item["indicator"], "weight": weight,
                      "direction": item["direction"],
                      "rate": ind.percent(value), "points": None if part is None else
                      round(part, 4)})
    if not weight_used:
        return None, parts
    return round(got * total / weight_used, 2), parts


def scheme_items(scheme) -> list[dict]:
    return [{"indicator": i.indicator, "weight": str(i.weight), "direction": i.direction}
            for i in scheme.items.all()]


def add_party_figures(source, kind: str, results: dict, items: list[dict]) -> None:
    """Party-building and proactive-service figures (``indicators.PARTY``) into the counts of
    area subjects, when the scheme weighs one of their rates (live sources only: a snapshot
    does not hold them; their rates are then left out of the score)."""
    if (source.frozen or kind not in AREA_CODE_LENGTH or not results
            or not any(i["indicator"] in ind.PARTY_RATE_CODES for i in items)):
        return
    for key, figures in ind.party_workload(source.user, list(results), source.period).items():
        results[key].counts.update(figures)


def ranking(source, kind: str, items: list[dict], *, with_workload=True) -> list[Result]:
    """All subjects of ``kind``, scored and ranked (best first; unscored last)."""
    results = grouped(source, kind)
    names = labels(kind, results.keys())
    if kind == SubjectKind.WORKER and with_workload and not source.frozen:
        for key, work in workload(source, list(results)).items():
            results[key].workload = work
    add_party_figures(source, kind, results, items)
    for key, result in results.items():
        result.label = names.get(key, key)
        result.score, result.parts = score(items, result)
    ordered = sorted(results.values(),
                     key=lambda r: (r.score is None, -(r.score or 0), r.label, r.key))
    for n, result in enumerate(ordered, 1):
        result.rank = n if result.score is not None else None
    return ordered


def explain_cases(source, kind: str, key: str, code: str):
    """The cases behind one indicator of one subject: ``(queryset, mode)``.

    Counts: the cases counted, and those an accepted appeal took out (``waived``). Rates: the
    denominator's cases, each marked whether it counts in the numerator. Times: the cases
    with their hours."""
    indicator = ind.CATALOG[code]
    base = source.base(kind).filter(source.subject_filter(kind, key))
    if code in ind.PARTY_CODES or code in ind.PARTY_RATE_CODES:
        # Not made of cases: the party figures have no case list behind them.
        return base.none(), ("rate" if indicator.kind == "rate" else "count")
    conds = source.conditions()
    if indicator.kind == "rate":
        qs = base.filter(conds[indicator.denominator]).annotate(
            _hit=ExpressionWrapper(conds[indicator.numerator], output_field=BooleanField()))
        return qs, "rate"
    if indicator.kind == "time":
        qs = base.annotate(_hours=source.hours()[code]).filter(_hours__isnull=False)
        return qs, "time"
    if source.frozen:
        qs = base.filter(Q(**{code: True}) | Q(waived__contains=code))
        return qs.annotate(_hit=ExpressionWrapper(Q(**{code: True}),
                                                  output_field=BooleanField())), "count"
    raw = ind.raw_conditions(source.as_of)[code]
    if code in ind.ON_TIME_OF.values():
        late = next(k for k, v in ind.ON_TIME_OF.items() if v == code)
        raw = raw | (ind.raw_conditions(source.as_of)[late] & ind.waived_q(late))
    qs = base.filter(raw | conds[code]).annotate(
        _hit=ExpressionWrapper(conds[code], output_field=BooleanField()))
    return qs, "count"
