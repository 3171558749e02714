"""What the figures are broken down by, and the case-list filter each value drills into.

A ``Dimension`` groups events by one SQL expression (area levels by the code prefix
``Substr(area_code, 1, n)``, so the query stays on the indexed column), names its values and
says which parameter of the event search (``EventFilterSet``) selects them. A parameter the
search does not have yet (``platform``) gives no link rather than a link to every case.
"""

import functools
from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from gridgov.areas.models import Area
from gridgov.events.choices import Nature, Source, State

from .aggregates import area_expression


@dataclass(frozen=True)
class Dimension:
    """One way to break the events down."""

    key: str
    label: str
    field: str = ""  # the column grouped by (when not an area level)
    length: int = 0  # area levels: the code length
    param: str = ""  # the search parameter selecting one value
    name_field: str = ""  # a column naming the value, grouped along
    choices: type | None = None  # a TextChoices naming the values

    @property
    def label_fields(self) -> tuple:
        return (self.name_field,) if self.name_field else ()

    def expression(self):
        return area_expression(self.length) if self.length else F(self.field)

    def label_of(self, row) -> str:
        key = row["_key"]
        if key in (None, ""):
            return str(_("(未分类)"))
        if self.name_field:
            return row[self.name_field] or key
        if self.choices is not None:
            try:
                return str(self.choices(key).label)
            except ValueError:
                return key
        return key

    def fill_labels(self, rows) -> None:
        """Area levels: the names of the areas (one query for all rows)."""
        if not self.length:
            return
        names = dict(Area.objects.filter(code__in=[r.key for r in rows if r.key])
                     .values_list("code", "name"))
        for row in rows:
            row.label = names.get(row.key, row.key)

    def drill(self, key) -> dict:
        """The search parameters selecting the events of one value (none when the event
        search has no such filter: then the figure shows without a link)."""
        if not key or not self.param or self.param not in search_params():
            return {}
        return {self.param: key}


@functools.cache
def search_params() -> frozenset:
    """The parameters the event search (``EventFilterSet``) understands."""
    from gridgov.events.filtersets import EventFilterSet

    return frozenset(EventFilterSet.base_filters)


DIMENSIONS = {d.key: d for d in (
    Dimension("street", _("街道(乡镇)"), length=9, param="within"),
    Dimension("community", _("社区(村)"), length=12, param="within"),
    Dimension("grid", _("网格"), length=15, param="within"),
    # The four platforms (综治工作, 市场监管, 综合执法, 便民服务) of the major classes.
    Dimension("platform", _("基层治理平台"), field="category__major__platform__code",
              param="platform", name_field="category__major__platform__name"),
    Dimension("major", _("事件大类"), field="category__major__code", param="major",
              name_field="category__major__name"),
    Dimension("minor", _("事件小类"), field="category__code", param="category",
              name_field="category__name"),
    Dimension("source", _("来源"), field="source", param="source", choices=Source),
    Dimension("nature", _("性质"), field="nature", param="nature", choices=Nature),
    Dimension("department", _("责任部门"), field="department__code", param="department",
              name_field="department__name"),
    Dimension("state", _("状态"), field="state", param="state", choices=State),
)}
AREA_LEVELS = {9: "street", 12: "community", 15: "grid"}


def child_level(area: str) -> str:
    """The area level just below ``area`` ("" or a district: streets)."""
    for length, key in AREA_LEVELS.items():
        if len(area) < length:
            return key
    return "grid"
