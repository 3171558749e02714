"""The dashboard's figures from ONE scan of the events.

The dashboard shows the summary (KPIs), the ranking of the areas one level down, the classes
and the sources, each in three periods. Rather than four scans of the same rows, one query
groups them by (area one level down, major class, source) with the measures of the three
periods; the four figures are sums over those groups (measures are counts and sums, so the
parts add up exactly; the mean hours is the sum of hours over the closed count).

For an area down to the community, the groups come from the rollup (``stats.rollup``: whole
months and days of the periods, plus the open overdue events counted live); for a community's
grids (a few thousand events at most) from the events.
"""

from dataclasses import dataclass, field

from django.db.models import F
from django.db.models.functions import Coalesce

from gridgov.events.models import MajorCategory

from . import rollup
from .aggregates import Compared, StatsQuery, finish
from .dimensions import DIMENSIONS


@dataclass
class Cube:
    """What the dashboard draws."""

    summary: Compared = field(default_factory=Compared)
    ranking: list = field(default_factory=list)
    majors: list = field(default_factory=list)
    sources: list = field(default_factory=list)


def _into(groups: dict, key, label, part: Compared) -> None:
    """Add ``part`` to the group ``key`` (``label()`` names a new group)."""
    if key not in groups:
        groups[key] = Compared(key=key, label=label())
    groups[key].add(part)


def dashboard_cube(query: StatsQuery, level: str) -> Cube:
    """The summary and the breakdowns by ``level`` (an area level), major class and source."""
    area_dim, major_dim, source_dim = DIMENSIONS[level], DIMENSIONS["major"], DIMENSIONS["source"]
    # Grouped by the major class's id (an integer, not its code and name: sorting the groups
    # by a Chinese name costs PostgreSQL a collation sort); codes and names come after.
    majors_by_id = {pk: (code, name) for pk, code, name in
                    MajorCategory.objects.values_list("pk", "code", "name")}
    cube = Cube()
    areas, majors, sources = {}, {}, {}
    found = None
    if area_dim.length <= 12:
        # From the rollup (community and larger areas): one query, folded here with plain
        # sums (thousands of rows: objects per row would cost more than the query).
        found = query.rolled_rows(
            {"_area": rollup.area_expression(area_dim.length), "_major": F("major_id"),
             "source": F("source")},
            {"_area": area_dim.expression(), "_major": Coalesce(F("category__major_id"), 0),
             "source": F("source")}, fine=area_dim.length == 12)
    if found is not None:
        distinct, rows = found
        sums = {"area": {}, "major": {}, "source": {}}
        for row in rows:
            vector = (row["total"], row["due"], row["closed"], row["on_time"], row["overdue"],
                      float(row["hours_sum"] or 0))
            for name, key in (("area", row["_area"] or ""), ("major", row["_major"]),
                              ("source", row["source"])):
                by_slot = sums[name].setdefault(key, {})
                have = by_slot.get(row["_slot"])
                if have is None:
                    by_slot[row["_slot"]] = list(vector)
                else:
                    for i, value in enumerate(vector):
                        have[i] += value
        for key, part in query.compare_sums(sums["area"], distinct):
            cube.summary.add(part)
            _into(areas, key, lambda a=key: a, part)
        for key, part in query.compare_sums(sums["major"], distinct):
            code, name = majors_by_id.get(key, ("", ""))
            _into(majors, code, lambda c=code, n=name: major_dim.label_of(
                {"_key": c, "category__major__name": n}), part)
        for key, part in query.compare_sums(sums["source"], distinct):
            _into(sources, key, lambda s=key: source_dim.label_of({"_key": s}), part)
    else:
        qs = query.events().annotate(_area=area_dim.expression(),
                                     _major=F("category__major_id"))
        for row, part in query.grouped(qs, ("_area", "_major", "source")):
            cube.summary.add(part)
            area = row["_area"] or ""
            _into(areas, area, lambda a=area: a, part)
            code, name = majors_by_id.get(row["_major"], ("", ""))
            _into(majors, code, lambda c=code, n=name: major_dim.label_of(
                {"_key": c, "category__major__name": n}), part)
            source = row["source"]
            _into(sources, source, lambda s=source: source_dim.label_of({"_key": s}), part)
    cube.ranking = finish(area_dim, list(areas.values()))
    cube.majors = finish(major_dim, list(majors.values()))
    cube.sources = finish(source_dim, list(sources.values()))
    return cube
