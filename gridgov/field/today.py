"""今日工作: what the field terminal's home screen shows, gathered from providers.

A provider is ``provider(request) -> TodaySection | None``, registered by an app's
``shell.register()``::

    from gridgov.field import today

    today.register("tasks", order=30)(my_tasks_section)

Each provider runs a fixed, small number of queries (the home screen's query count is
guarded by a test) and answers None when the person has nothing of its kind to do.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TodayItem:
    """One row of a section: a title, a line under it, where it opens, a badge."""

    title: str
    url: str
    subtitle: str = ""
    badge: str = ""
    overdue: bool = False


@dataclass
class TodaySection:
    """One kind of today's work: its title, how many, the first few rows and the list."""

    key: str
    title: str
    count: int
    url: str
    items: list[TodayItem] = field(default_factory=list)
    overdue: int = 0


Provider = Callable[..., "TodaySection | None"]
_PROVIDERS: dict[str, tuple[int, Provider]] = {}


def register(key: str, *, order: int = 100):
    """Register a home-screen provider under ``key`` (a later registration replaces it)."""

    def decorate(func: Provider) -> Provider:
        _PROVIDERS[key] = (order, func)
        return func

    return decorate


def sections(request) -> list[TodaySection]:
    """Every provider's section for this request, in order, leaving out the empty ones."""
    out = []
    for _order, func in sorted(_PROVIDERS.values(), key=lambda pair: pair[0]):
        section = func(request)
        if section is not None:
            out.append(section)
    return out
