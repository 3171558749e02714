"""Page lists without counting every row in scope.

Django's ``Paginator`` runs ``COUNT(*)`` over the whole filtered list on every page: at a
city's size (1,000,000 people) that count alone costs more than the page. ``CappedPaginator``
counts at most ``cap + 1`` rows (``SELECT COUNT(*) FROM (... LIMIT cap + 1)``), or up to the
page asked for and one row beyond when that lies deeper. Below the cap it is Django's
paginator exactly; above it the count is a lower bound (``more`` is true, ``count_label``
reads "10,000+"), next/previous work, and page numbers run as far as the count reached.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.functional import cached_property

DEFAULT_CAP = 10_000


def page_count_cap() -> int:
    """The count cap of list pages (``GRIDGOV_PAGE_COUNT_CAP``, 10,000 by default)."""
    return int(getattr(settings, "GRIDGOV_PAGE_COUNT_CAP", DEFAULT_CAP))


def capped_count(object_list, limit: int) -> int:
    """How many rows ``object_list`` has, counting no further than ``limit``."""
    if isinstance(object_list, QuerySet):
        # A sliced queryset counts as COUNT(*) over a LIMITed subquery.
        return object_list[:limit].count()
    return min(len(object_list), limit)


class CappedPaginator(Paginator):
    """A ``Paginator`` whose count stops at ``cap + 1`` rows (or one row past the page asked
    for). ``more``: there are more rows than counted; ``count_label``: "1,234" or "10,000+"."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True,
                 *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page, **kwargs)
        self.cap = page_count_cap() if cap is None else cap
        self._reach = 0  # rows up to the end of the page asked for

    def _aim(self, number):
        """Count far enough to know whether ``number`` and the page after it exist; only
        before the count was taken (it is taken once)."""
        if "count" in self.__dict__:
            return
        try:
            self._reach = max(0, int(number)) * self.per_page
        except (TypeError, ValueError, OverflowError):
            self._reach = 0

    @property
    def limit(self) -> int:
        """The most rows the count reads."""
        return max(self.cap, self._reach) + 1

    @cached_property
    def count(self) -> int:
        """The rows counted, at most ``limit``; ``more`` when the list goes on past it."""
        return capped_count(self.object_list, self.limit)

    @property
    def more(self) -> bool:
        """The list holds more rows than ``count``: the count is a lower bound."""
        return self.count >= self.limit

    @property
    def count_label(self) -> str:
        """The count as shown: "1,234", or "10,000+" past the cap."""
        if self.more:
            return f"{number_format(self.limit - 1, force_grouping=True)}+"
        return number_format(self.count, force_grouping=True)

    def page(self, number):
        self._aim(number)
        return super().page(number)

    def get_page(self, number):
        self._aim(number)
        return super().get_page(number)
