"""The figures of the needs page, from the rollup (``NeedCount``) and the index's samples.

Every query reads through ``restrict(user, "view")`` and the chosen area's code prefix, so
a person sees the needs of their own areas only. The page is a fixed number of queries:
categories, groups, the matrix, the trend, the child areas' figures and names, the samples.
"""

from dataclasses import dataclass, field

from django.db.models import Sum
from django.db.models.functions import Substr

from gridgov.areas.models import Area

from .choices import OTHER_GROUP
from .forms import months_between
from .models import NeedCategory, NeedCount, NeedMention

CHILD_LENGTH = {6: 9, 9: 12, 12: 15}
TOP_PER_AREA = 3
SAMPLES = 12


@dataclass
class ChildRow:
    """One child area: its totals per category and its top needs."""

    code: str
    name: str
    total: int = 0
    by_category: dict = field(default_factory=dict)
    top: list = field(default_factory=list)


class NeedsReport:
    """The needs of ``area`` (a code prefix, "" for all the person's areas) over months."""

    def __init__(self, user, area: str, start, end):
        self.user, self.area, self.start, self.end = user, area, start, end
        self.months = months_between(start, end)

    def counts(self):
        qs = NeedCount.objects.restrict(self.user, "view").filter(
            month__gte=self.start, month__lte=self.end)
        return qs.filter(area_code__startswith=self.area) if self.area else qs

    def categories(self) -> list[NeedCategory]:
        return list(NeedCategory.objects.filter(is_active=True).order_by("order", "code"))

    def groups(self, present) -> list[str]:
        """The care groups (tag order) that have figures, then 其他."""
        from gridgov.basedata.models import Tag

        names = list(Tag.objects.filter(kind="care").order_by("name")
                     .values_list("name", flat=True))
        out = [n for n in names if n in present]
        out += sorted(g for g in present if g not in names and g != OTHER_GROUP)
        if OTHER_GROUP in present:
            out.append(OTHER_GROUP)
        return out

    def matrix(self) -> dict[tuple[str, int], int]:
        """(group, category id) → mentions (one query)."""
        rows = (self.counts().exclude(group="").values("group", "category_id")
                .annotate(n=Sum("mentions")).order_by())
        return {(r["group"], r["category_id"]): r["n"] for r in rows}

    def trend(self) -> dict[tuple, int]:
        """(month, category id) → mentions over all groups (one query)."""
        rows = (self.counts().filter(group="").values("month", "category_id")
                .annotate(n=Sum("mentions")).order_by())
        return {(r["month"], r["category_id"]): r["n"] for r in rows}

    def child_length(self) -> int | None:
        return CHILD_LENGTH.get(len(self.area)) if self.area else 9

    def children(self, categories) -> list[ChildRow]:
        """The child areas with their totals and top needs (two queries)."""
        length = self.child_length()
        if length is None:
            return []
        rows = (self.counts().filter(group="")
                .annotate(child=Substr("area_code", 1, length))
                .values("child", "category_id").annotate(n=Sum("mentions")).order_by())
        by_code: dict[str, ChildRow] = {}
        for r in rows:
            child = by_code.setdefault(r["child"], ChildRow(r["child"], r["child"]))
            child.by_category[r["category_id"]] = r["n"]
            child.total += r["n"]
        names = dict(Area.objects.filter(code__in=list(by_code)).order_by("code", "-valid_from")
                     .values_list("code", "name"))
        names_by_id = {c.pk: c.name for c in categories}
        for child in by_code.values():
            child.name = names.get(child.code, child.code)
            ranked = sorted(((n, cid) for cid, n in child.by_category.items() if n),
                            key=lambda p: (-p[0], p[1]))
            child.top = [(names_by_id.get(cid, "?"), n) for n, cid in ranked[:TOP_PER_AREA]]
        return sorted(by_code.values(), key=lambda c: (-c.total, c.code))

    def samples(self, category: NeedCategory | None = None, group: str = ""):
        """The latest masked texts behind the figures (one query)."""
        qs = NeedMention.objects.restrict(self.user, "view").filter(
            month__gte=self.start, month__lte=self.end)
        if self.area:
            qs = qs.filter(area_code__startswith=self.area)
        if group:
            qs = qs.filter(group=group)
        else:
            qs = qs.filter(primary=True)
        if category is not None:
            qs = qs.filter(category=category)
        rows = qs.select_related("category").order_by("-occurred_at", "-pk")[:SAMPLES * 3]
        out: dict[tuple, NeedMention] = {}
        for row in rows:  # one sample per text, with every category found in it
            first = out.setdefault((row.source, row.source_id), row)
            names = getattr(first, "category_names", [])
            if row.category.name not in names:
                first.category_names = [*names, row.category.name]
        return list(out.values())[:SAMPLES]
