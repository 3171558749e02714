"""The dashboard's figures from ONE scan of the events.

The dashboard shows the summary (KPIs), the ranking of the areas one level down, the classes
and the sources, each in three periods. Rather than four scans of the same rows, one query
groups them by (area one level down, major class, source) with the measures of the three
periods; the four figures are sums over those groups (measures are counts and sums, so the
parts add up exactly; the mean hours is the sum of hours over the closed count).
"""

from dataclasses import dataclass, field

from django.db.models import F

from gridgov.events.models import MajorCategory

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
    if key not in groups:
        groups[key] = Compared(key=key, label=label)
    groups[key].add(part)


def dashboard_cube(query: StatsQuery, level: str) -> Cube:
    """The summary and the breakdowns by ``level`` (an area level), major class and source."""
    area_dim, major_dim, source_dim = DIMENSIONS[level], DIMENSIONS["major"], DIMENSIONS["source"]
    # Grouped by the major class's id (an integer, not its code and name: sorting the groups
    # by a Chinese name costs PostgreSQL a collation sort); codes and names come after.
    qs = query.events().annotate(_area=area_dim.expression(), _major=F("category__major_id"))
    majors_by_id = {pk: (code, name) for pk, code, name in
                    MajorCategory.objects.values_list("pk", "code", "name")}
    cube = Cube()
    areas, majors, sources = {}, {}, {}
    for row, part in query.grouped(qs, ("_area", "_major", "source")):
        cube.summary.add(part)
        _into(areas, row["_area"] or "", row["_area"] or "", part)
        code, name = majors_by_id.get(row["_major"], ("", ""))
        _into(majors, code, major_dim.label_of({"_key": code, "category__major__name": name}),
              part)
        _into(sources, row["source"], source_dim.label_of({"_key": row["source"]}), part)
    cube.ranking = finish(area_dim, list(areas.values()))
    cube.majors = finish(major_dim, list(majors.values()))
    cube.sources = finish(source_dim, list(sources.values()))
    return cube
